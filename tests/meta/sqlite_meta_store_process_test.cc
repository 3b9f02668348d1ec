// Multi-process tests of the SQLite meta store: transactions killed with SIGKILL at chosen points
// leave nothing behind, and processes sharing one file lose no compare-and-swap update. Children
// are forked before the parent opens anything, open their own connection and leave with _exit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <set>

#include "common/env.h"
#include "meta/meta_test_util.h"
#include "meta/sqlite_meta_store.h"
#include "util/temp_dir.h"

namespace vdb::meta {
namespace {

// Forks a child that runs `body` and exits with its return value.
pid_t ForkChild(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  return pid;
}

// The child's exit code, or 128 + signal when a signal ended it.
int WaitChild(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// A pipe the child writes one byte to when it reached its kill point.
struct Pipe {
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  // In the parent after forking, so that Wait() sees end-of-file if the child dies early.
  void CloseWriter() {
    ::close(fds[1]);
    fds[1] = -1;
  }
  void Signal() const {
    char c = 'x';
    (void)!::write(fds[1], &c, 1);
  }
  // True when a byte arrived, false when every writer is gone.
  bool Wait() const {
    char c;
    ssize_t n;
    while ((n = ::read(fds[0], &c, 1)) < 0 && errno == EINTR) {
    }
    return n == 1;
  }
  int fds[2] = {-1, -1};
};

// Opens the store in a child; any failure is exit code 2.
std::unique_ptr<MetaStore> OpenInChild(const std::string& path, const SqliteOptions& options) {
  auto store = OpenSqliteMetaStore(path, options);
  if (!store.ok()) {
    std::fprintf(stderr, "child: %s\n", store.status().ToString().c_str());
    ::_exit(2);
  }
  return std::move(store).value();
}

// Kills the child once it signalled, and reaps it.
void KillWhenSignalled(pid_t pid, const Pipe& pipe) {
  ASSERT_TRUE(pipe.Wait()) << "child never reached its kill point";
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  EXPECT_EQ(WaitChild(pid), 128 + SIGKILL);
}

class SqliteMetaStoreProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.Sub("meta.sqlite3"); }

  // Seeds the store with two keys at revisions 1 and 2, then closes it.
  void Seed() {
    auto store = OpenSqliteMetaStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Put("coll/1", "v1").ok());
    ASSERT_TRUE((*store)->Put("seg/1", "s1").ok());
  }

  // The store holds exactly the seeded state.
  void ExpectSeedOnly() {
    auto store = OpenSqliteMetaStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(*(*store)->CurrentRevision(), 2);
    auto all = (*store)->Scan("");
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0], (KeyValue{"coll/1", "v1", 1, 1, 1}));
    EXPECT_EQ((*all)[1], (KeyValue{"seg/1", "s1", 2, 2, 1}));
    // And it is writable again: the dead writer's lock is gone.
    EXPECT_EQ(*(*store)->Put("after", "crash"), 3);
  }

  test::TempDir dir_;
  std::string path_;
};

TEST_F(SqliteMetaStoreProcessTest, TxnKilledAtAnyStepLeavesNothing) {
  Txn txn;
  txn.If(Compare::Exists("coll/1"))
      .Then(TxnOp::Put("coll/1", "v2"))
      .Then(TxnOp::Put("coll/2", "new"))
      .Then(TxnOp::Delete("seg/1"))
      .Then(TxnOp::Put("seg/2", "s2"));
  // Step i: before op i; step 4: after every op, just before COMMIT.
  for (size_t kill_step = 0; kill_step <= txn.success.size(); ++kill_step) {
    SCOPED_TRACE("kill before step " + std::to_string(kill_step));
    test::TempDir dir;
    path_ = dir.Sub("meta.sqlite3");
    Seed();
    Pipe reached;
    pid_t pid = ForkChild([&] {
      SqliteOptions options;
      options.TEST_txn_hook = [&](size_t step) {
        if (step != kill_step) return;
        reached.Signal();
        for (;;) ::pause();
      };
      auto store = OpenInChild(path_, options);
      (void)store->Commit(txn);
      return 3;  // the kill should have come first
    });
    ASSERT_GT(pid, 0);
    reached.CloseWriter();
    KillWhenSignalled(pid, reached);
    ExpectSeedOnly();
  }
}

// A transaction larger than SQLite's page cache spills uncommitted pages into the WAL file before
// COMMIT; killing it there must still leave nothing visible after reopening.
TEST_F(SqliteMetaStoreProcessTest, LargeTxnKilledAfterSpillingToWalLeavesNothing) {
  Seed();
  constexpr int kKeys = 800;
  const std::string value(8192, 'v');  // 6.5 MB in all; the default cache is about 2 MB
  Pipe reached;
  pid_t pid = ForkChild([&] {
    Txn txn;
    for (int i = 0; i < kKeys; ++i) txn.Then(TxnOp::Put("big/" + std::to_string(i), value));
    SqliteOptions options;
    options.TEST_txn_hook = [&](size_t step) {
      if (step != txn.success.size()) return;
      reached.Signal();
      for (;;) ::pause();
    };
    auto store = OpenInChild(path_, options);
    (void)store->Commit(txn);
    return 3;
  });
  ASSERT_GT(pid, 0);
  reached.CloseWriter();
  ASSERT_TRUE(reached.Wait());
  auto wal_size = Env::Default()->GetFileSize(path_ + "-wal");
  ASSERT_TRUE(wal_size.ok()) << wal_size.status().ToString();
  EXPECT_GT(*wal_size, 1u << 20) << "the transaction did not spill; the test proves less";
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  EXPECT_EQ(WaitChild(pid), 128 + SIGKILL);
  ExpectSeedOnly();
}

// A writer killed between transactions at several points: every transaction it finished is there,
// whole, and the one it was in (if any) is absent.
TEST_F(SqliteMetaStoreProcessTest, WriterKilledMidStreamKeepsWholeTransactionsOnly) {
  for (int kill_after : {1, 4, 9}) {
    SCOPED_TRACE("kill after " + std::to_string(kill_after) + " commits");
    test::TempDir dir;
    path_ = dir.Sub("meta.sqlite3");
    Pipe committed;
    pid_t pid = ForkChild([&] {
      auto store = OpenInChild(path_, {});
      for (int i = 1;; ++i) {
        std::string n = std::to_string(i);
        Txn txn;
        txn.Then(TxnOp::Put("a", n)).Then(TxnOp::Put("b", n)).Then(TxnOp::Put("c", n));
        if (!store->Commit(txn).ok()) return 4;
        committed.Signal();
      }
    });
    ASSERT_GT(pid, 0);
    committed.CloseWriter();
    for (int i = 0; i < kill_after; ++i) ASSERT_TRUE(committed.Wait());
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    EXPECT_EQ(WaitChild(pid), 128 + SIGKILL);

    auto store = OpenSqliteMetaStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Revision revision = *(*store)->CurrentRevision();
    EXPECT_GE(revision, kill_after);
    for (const char* key : {"a", "b", "c"}) {
      auto kv = (*store)->Get(key);
      ASSERT_TRUE(kv.ok() && kv->has_value()) << key;
      EXPECT_EQ((*kv)->value, std::to_string(revision)) << key;
      EXPECT_EQ((*kv)->mod_revision, revision) << key;
      EXPECT_EQ((*kv)->version, revision) << key;
    }
  }
}

// Two processes increment one counter with compare-and-swap and retry. Every increment lands once
// and each process sees its own commit revisions strictly increase; together they are distinct.
TEST_F(SqliteMetaStoreProcessTest, TwoProcessesCompareAndSwapLoseNoUpdate) {
  {
    auto store = OpenSqliteMetaStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_EQ(*(*store)->Put("counter", "0"), 1);
  }
  constexpr int kProcesses = 2;
  constexpr int kIncrements = 60;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcesses; ++p) {
    std::string log_path = dir_.Sub("revisions." + std::to_string(p));
    pids.push_back(ForkChild([&, log_path] {
      auto store = OpenInChild(path_, {});
      std::ofstream log(log_path);
      for (int done = 0; done < kIncrements;) {
        auto kv = store->Get("counter");
        if (!kv.ok() || !kv->has_value()) return 5;
        std::string next = std::to_string(std::stoll((*kv)->value) + 1);
        auto swapped = store->CompareAndSwap("counter", (*kv)->mod_revision, next);
        if (swapped.ok()) {
          log << *swapped << "\n";
          ++done;
        } else if (!swapped.status().IsAborted()) {
          std::fprintf(stderr, "child: %s\n", swapped.status().ToString().c_str());
          return 6;
        }
      }
      log.close();
      return log.good() ? 0 : 7;
    }));
    ASSERT_GT(pids.back(), 0);
  }
  for (pid_t pid : pids) EXPECT_EQ(WaitChild(pid), 0);

  std::set<Revision> all;
  for (int p = 0; p < kProcesses; ++p) {
    std::ifstream log(dir_.Sub("revisions." + std::to_string(p)));
    Revision previous = 0;
    int count = 0;
    for (Revision r; log >> r; ++count) {
      EXPECT_GT(r, previous) << "process " << p;
      previous = r;
      EXPECT_TRUE(all.insert(r).second) << "revision " << r << " returned twice";
    }
    EXPECT_EQ(count, kIncrements) << "process " << p;
  }
  auto store = OpenSqliteMetaStore(path_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto counter = (*store)->Get("counter");
  ASSERT_TRUE(counter.ok() && counter->has_value());
  EXPECT_EQ((*counter)->value, std::to_string(kProcesses * kIncrements));
  EXPECT_EQ((*counter)->version, 1 + kProcesses * kIncrements);
  EXPECT_EQ(*(*store)->CurrentRevision(), 1 + kProcesses * kIncrements);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(*all.begin(), 2);
  EXPECT_EQ(*all.rbegin(), 1 + kProcesses * kIncrements);
}

// Two processes opening a fresh file at the same moment both succeed, and the schema is created
// once (the second sees the first's and applies nothing).
TEST_F(SqliteMetaStoreProcessTest, ConcurrentFirstOpensCreateTheSchemaOnce) {
  std::vector<pid_t> pids;
  for (int p = 0; p < 3; ++p) {
    pids.push_back(ForkChild([&, p] {
      auto store = OpenInChild(path_, {});
      return store->Put("opened/" + std::to_string(p), "1").ok() ? 0 : 8;
    }));
    ASSERT_GT(pids.back(), 0);
  }
  for (pid_t pid : pids) EXPECT_EQ(WaitChild(pid), 0);
  auto store = OpenSqliteMetaStore(path_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Scan("opened/")->size(), 3u);
  EXPECT_EQ(*(*store)->CurrentRevision(), 3);
}

}  // namespace
}  // namespace vdb::meta
