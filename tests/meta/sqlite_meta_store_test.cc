#include "meta/sqlite_meta_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <random>
#include <thread>

#include "common/env.h"
#include "meta/meta_test_util.h"
#include "util/temp_dir.h"

namespace vdb::meta {
namespace {

class SqliteMetaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.Sub("meta.sqlite3"); }

  std::unique_ptr<MetaStore> OpenStore(const SqliteOptions& options = {}) {
    auto store = OpenSqliteMetaStore(path_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  test::TempDir dir_;
  std::string path_;
};

KeyValue Kv(std::string key, std::string value, Revision create, Revision mod, int64_t version) {
  return KeyValue{std::move(key), std::move(value), create, mod, version};
}

TEST_F(SqliteMetaStoreTest, PutGetDeleteTrackRevisionsAndVersions) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->CurrentRevision(), 0);
  EXPECT_EQ(*store->Get("a"), std::nullopt);

  EXPECT_EQ(*store->Put("a", "1"), 1);
  EXPECT_EQ(*store->Get("a"), Kv("a", "1", 1, 1, 1));
  EXPECT_EQ(*store->Put("a", "2"), 2);
  EXPECT_EQ(*store->Get("a"), Kv("a", "2", 1, 2, 2));
  EXPECT_EQ(*store->Put("b", "x"), 3);
  EXPECT_EQ(*store->CurrentRevision(), 3);

  EXPECT_TRUE(*store->Delete("a"));
  EXPECT_EQ(*store->CurrentRevision(), 4);
  EXPECT_EQ(*store->Get("a"), std::nullopt);
  // Deleting what is not there changes nothing, so the revision stays.
  EXPECT_FALSE(*store->Delete("a"));
  EXPECT_EQ(*store->CurrentRevision(), 4);
  // A re-created key starts a new life.
  EXPECT_EQ(*store->Put("a", "3"), 5);
  EXPECT_EQ(*store->Get("a"), Kv("a", "3", 5, 5, 1));
  EXPECT_EQ(*store->Get("b"), Kv("b", "x", 3, 3, 1));
}

TEST_F(SqliteMetaStoreTest, EmptyKeyIsInvalidArgument) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Get("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Put("", "v").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Delete("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Scan("a", -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*store->CurrentRevision(), 0);
}

TEST_F(SqliteMetaStoreTest, BinaryKeysAndValuesRoundTrip) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const std::string key("k\x00\xff\x01", 4);
  const std::string value("\x00\x00v\xff\x80", 5);
  ASSERT_TRUE(store->Put(key, value).ok());
  ASSERT_TRUE(store->Put("empty", "").ok());
  auto got = store->Get(key);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value, value);
  EXPECT_EQ((*got)->key, key);
  auto empty = store->Get("empty");
  ASSERT_TRUE(empty.ok() && empty->has_value());
  EXPECT_EQ((*empty)->value, "");
  // The NUL inside the key is significant: its prefix "k" is another key.
  EXPECT_EQ(*store->Get("k"), std::nullopt);
  EXPECT_TRUE(*store->Delete(key));
}

TEST_F(SqliteMetaStoreTest, ScanIsSortedByKeyAndHonoursLimit) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (const char* key : {"c/3", "c/1", "d", "c/2", "c", "b/1", "c/10"}) {
    ASSERT_TRUE(store->Put(key, std::string("v") + key).ok());
  }
  auto all = store->Scan("c/");
  ASSERT_TRUE(all.ok());
  std::vector<std::string> keys;
  for (const KeyValue& kv : *all) keys.push_back(kv.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"c/1", "c/10", "c/2", "c/3"}));
  EXPECT_EQ((*all)[0].value, "vc/1");
  EXPECT_EQ((*all)[0].mod_revision, 2);

  auto two = store->Scan("c/", 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].key, "c/10");
  EXPECT_EQ(store->Scan("")->size(), 7u);
  EXPECT_TRUE(store->Scan("e")->empty());
}

// Keys drawn from bytes around the edges (0x00, 0x7f/0x80, 0xfe/0xff) so prefixes ending in 0xff,
// whose end bound needs a carry, are common; every scan and prefix delete is checked against a
// std::map.
TEST_F(SqliteMetaStoreTest, PrefixScanAndDeleteMatchBruteForceOnEdgeBytes) {
  const uint32_t seed = 20261130;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const char kBytes[] = {'\x00', '\x01', 'a', '\x7f', '\x80', '\xfe', '\xff'};
  auto random_key = [&](size_t max_len) {
    std::string key(1 + rng() % max_len, '\0');
    for (char& c : key) c = kBytes[rng() % sizeof(kBytes)];
    return key;
  };
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::map<std::string, std::string> model;
  Txn txn;
  for (int i = 0; i < 300; ++i) {
    std::string key = random_key(4);
    if (model.emplace(key, std::to_string(i)).second) txn.Then(TxnOp::Put(key, std::to_string(i)));
  }
  ASSERT_TRUE(store->Commit(txn).ok());

  std::vector<std::string> prefixes = {"", std::string("\xff"), std::string("\xff\xff"),
                                       std::string("\xfe\xff"), std::string("a\xff\xff")};
  for (const auto& [key, value] : model) prefixes.push_back(key.substr(0, 1 + rng() % key.size()));
  for (const std::string& prefix : prefixes) {
    std::vector<std::string> expected;
    for (const auto& [key, value] : model) {
      if (key.compare(0, prefix.size(), prefix) == 0) expected.push_back(key);
    }
    auto scanned = store->Scan(prefix);
    ASSERT_TRUE(scanned.ok()) << scanned.status().ToString();
    std::vector<std::string> got;
    for (const KeyValue& kv : *scanned) got.push_back(kv.key);
    ASSERT_EQ(got, expected) << "prefix " << PrintableKey(prefix);
  }
  // Delete a few prefixes and compare what is left.
  for (const std::string& prefix :
       {std::string("\xff\xff"), std::string("\x80"), std::string("a")}) {
    int64_t expected = 0;
    for (auto it = model.begin(); it != model.end();) {
      if (it->first.compare(0, prefix.size(), prefix) == 0) {
        it = model.erase(it);
        ++expected;
      } else {
        ++it;
      }
    }
    EXPECT_EQ(*store->DeletePrefix(prefix), expected) << PrintableKey(prefix);
  }
  auto rest = store->Scan("");
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), model.size());
  size_t i = 0;
  for (const auto& [key, value] : model) {
    EXPECT_EQ((*rest)[i].key, key);
    EXPECT_EQ((*rest)[i++].value, value);
  }
}

TEST_F(SqliteMetaStoreTest, DeletePrefixBumpsRevisionOnceAndOnlyWhenSomethingGoes) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (const char* key : {"seg/1", "seg/2", "seg/3", "seg", "sef", "segment"}) {
    ASSERT_TRUE(store->Put(key, "v").ok());
  }
  EXPECT_EQ(*store->DeletePrefix("seg/"), 3);
  EXPECT_EQ(*store->CurrentRevision(), 7);
  EXPECT_EQ(*store->DeletePrefix("seg/"), 0);
  EXPECT_EQ(*store->CurrentRevision(), 7);
  EXPECT_EQ(store->Scan("se")->size(), 3u);
  EXPECT_EQ(*store->DeletePrefix(""), 3);
  EXPECT_TRUE(store->Scan("")->empty());
}

TEST_F(SqliteMetaStoreTest, TxnWritesShareOneRevisionAndReadsSeeEarlierOps) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("old", "o").ok());
  Txn txn;
  txn.If(Compare::Missing("x"))
      .Then(TxnOp::Put("x", "1"))
      .Then(TxnOp::Put("y", "2"))
      .Then(TxnOp::Delete("old"))
      .Then(TxnOp::Get("x"))
      .Then(TxnOp::Get("old"))
      .Then(TxnOp::Scan(""));
  auto result = store->Commit(txn);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->succeeded);
  EXPECT_EQ(result->revision, 2);
  ASSERT_EQ(result->responses.size(), 6u);
  EXPECT_EQ(result->responses[2].deleted, 1);
  ASSERT_EQ(result->responses[3].kvs.size(), 1u);
  EXPECT_EQ(result->responses[3].kvs[0], Kv("x", "1", 2, 2, 1));
  EXPECT_TRUE(result->responses[4].kvs.empty());
  ASSERT_EQ(result->responses[5].kvs.size(), 2u);
  EXPECT_EQ(result->responses[5].kvs[1], Kv("y", "2", 2, 2, 1));
  EXPECT_EQ(*store->CurrentRevision(), 2);
}

TEST_F(SqliteMetaStoreTest, FailedCompareRunsFailureOpsOnly) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Revision rev = *store->Put("counter", "5");
  Txn txn;
  txn.If(Compare::ModRevision("counter", CompareOp::kEqual, rev + 100))
      .If(Compare::Missing("never"))
      .Then(TxnOp::Put("counter", "6"))
      .Else(TxnOp::Get("counter"))
      .Else(TxnOp::Put("conflicts", "1"));
  auto result = store->Commit(txn);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->succeeded);
  EXPECT_EQ(result->revision, rev + 1);  // the failure branch wrote
  ASSERT_EQ(result->responses.size(), 2u);
  ASSERT_EQ(result->responses[0].kvs.size(), 1u);
  EXPECT_EQ(result->responses[0].kvs[0].value, "5");
  EXPECT_EQ((*store->Get("counter"))->value, "5");
  EXPECT_EQ((*store->Get("conflicts"))->value, "1");

  // A failed compare with no failure ops writes nothing and keeps the revision.
  Txn nothing;
  nothing.If(Compare::Value("counter", CompareOp::kEqual, "4")).Then(TxnOp::Put("counter", "x"));
  auto second = store->Commit(nothing);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->succeeded);
  EXPECT_EQ(second->revision, rev + 1);
  EXPECT_EQ(*store->CurrentRevision(), rev + 1);
}

TEST_F(SqliteMetaStoreTest, CompareTargetsOnStoredKeys) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("k", "v1").ok());
  ASSERT_TRUE(store->Put("k", "v2").ok());  // create 1, mod 2, version 2
  auto holds = [&](Compare compare) {
    auto r = store->Commit(Txn().If(std::move(compare)).Then(TxnOp::Get("k")));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->succeeded;
  };
  EXPECT_TRUE(holds(Compare::CreateRevision("k", CompareOp::kEqual, 1)));
  EXPECT_TRUE(holds(Compare::ModRevision("k", CompareOp::kEqual, 2)));
  EXPECT_TRUE(holds(Compare::Version("k", CompareOp::kEqual, 2)));
  EXPECT_TRUE(holds(Compare::Value("k", CompareOp::kEqual, "v2")));
  EXPECT_TRUE(holds(Compare::Value("k", CompareOp::kGreater, "v1")));
  EXPECT_TRUE(holds(Compare::Exists("k")));
  EXPECT_FALSE(holds(Compare::Missing("k")));
  EXPECT_TRUE(holds(Compare::Missing("other")));
  EXPECT_FALSE(holds(Compare::Value("other", CompareOp::kNotEqual, "v2")));
  // Read-only transactions never move the revision.
  EXPECT_EQ(*store->CurrentRevision(), 2);
}

TEST_F(SqliteMetaStoreTest, InvalidTxnAppliesNothing) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto result = store->Commit(Txn().Then(TxnOp::Put("a", "1")).Then(TxnOp::Put("a", "2")));
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*store->Get("a"), std::nullopt);
  EXPECT_EQ(*store->CurrentRevision(), 0);
}

TEST_F(SqliteMetaStoreTest, ConveniencesReportConflicts) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto first = store->PutIfAbsent("id/next", "100");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store->PutIfAbsent("id/next", "200").status().code(), StatusCode::kAlreadyExists);

  auto swapped = store->CompareAndSwap("id/next", *first, "101");
  ASSERT_TRUE(swapped.ok()) << swapped.status().ToString();
  Status stale = store->CompareAndSwap("id/next", *first, "102").status();
  EXPECT_TRUE(stale.IsAborted()) << stale.ToString();
  EXPECT_NE(stale.message().find("id/next"), std::string::npos);
  EXPECT_EQ((*store->Get("id/next"))->value, "101");
  // Expected revision 0 means "absent".
  EXPECT_TRUE(store->CompareAndSwap("fresh", 0, "x").ok());
  EXPECT_TRUE(store->CompareAndSwap("fresh", 0, "y").status().IsAborted());

  EXPECT_TRUE(store->CompareAndDelete("id/next", *first).status().IsAborted());
  EXPECT_TRUE(store->CompareAndDelete("id/next", *swapped).ok());
  EXPECT_TRUE(store->CompareAndDelete("id/next", *swapped).status().IsAborted());
  EXPECT_EQ(*store->Get("id/next"), std::nullopt);
}

TEST_F(SqliteMetaStoreTest, ReopenKeepsDataAndRevision) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("db/default", "{}").ok());
    ASSERT_TRUE(store->Put("tso/high", "123").ok());
    ASSERT_TRUE(store->Delete("db/default").ok());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->CurrentRevision(), 3);
  EXPECT_EQ(*store->Get("tso/high"), Kv("tso/high", "123", 2, 2, 1));
  EXPECT_EQ(*store->Get("db/default"), std::nullopt);
  EXPECT_EQ(*store->Put("tso/high", "124"), 4);
}

TEST_F(SqliteMetaStoreTest, NewerSchemaVersionIsRefusedNamingFileAndVersions) {
  { ASSERT_NE(OpenStore(), nullptr); }
  ASSERT_TRUE(TEST_SetSqliteMetaSchemaVersion(path_, kSqliteMetaSchemaVersion + 41).ok());
  auto store = OpenSqliteMetaStore(path_);
  ASSERT_FALSE(store.ok());
  const Status& s = store.status();
  EXPECT_EQ(s.code(), StatusCode::kNotSupported) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find(std::to_string(kSqliteMetaSchemaVersion + 41)), std::string::npos);
  EXPECT_NE(s.message().find("(" + std::to_string(kSqliteMetaSchemaVersion) + ")"),
            std::string::npos)
      << s.ToString();
  SqliteOptions read_only;
  read_only.read_only = true;
  EXPECT_EQ(OpenSqliteMetaStore(path_, read_only).status().code(), StatusCode::kNotSupported);
  // Refusing did not touch the file: putting the version back makes it usable again.
  ASSERT_TRUE(TEST_SetSqliteMetaSchemaVersion(path_, kSqliteMetaSchemaVersion).ok());
  EXPECT_NE(OpenStore(), nullptr);
}

TEST_F(SqliteMetaStoreTest, GarbageFileIsCorruptionNamingTheFile) {
  std::mt19937 rng(7);
  std::string random(8192, '\0');
  for (char& c : random) c = static_cast<char>(rng());
  std::string fake_header = std::string("SQLite format 3\0", 16) + std::string(4080, '\x5a');
  std::string text = "this is a text file, not a database\n";
  for (const std::string& bytes : {random, fake_header, text}) {
    ASSERT_TRUE(WriteFileAtomic(Env::Default(), path_, bytes).ok());
    for (bool read_only : {false, true}) {
      SqliteOptions options;
      options.read_only = read_only;
      auto store = OpenSqliteMetaStore(path_, options);
      ASSERT_FALSE(store.ok());
      EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
      EXPECT_NE(store.status().message().find(path_), std::string::npos);
    }
    // The file was not rewritten.
    EXPECT_EQ(*ReadFileToString(Env::Default(), path_), bytes);
  }
}

// Another program's SQLite file (a different application_id in the header, at byte 68) is refused
// rather than having our tables added to it.
TEST_F(SqliteMetaStoreTest, OtherProgramsDatabaseIsRefused) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("k", "v").ok());
  }
  ASSERT_FALSE(Env::Default()->FileExists(path_ + "-wal")) << "closing should checkpoint";
  auto bytes = ReadFileToString(Env::Default(), path_);
  ASSERT_TRUE(bytes.ok());
  ASSERT_GT(bytes->size(), 72u);
  ASSERT_EQ(bytes->substr(68, 4), "VDBM");
  std::string foreign = *bytes;
  foreign.replace(68, 4, "ABCD");
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), path_, foreign).ok());
  auto store = OpenSqliteMetaStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
  EXPECT_NE(store.status().message().find("0x41424344"), std::string::npos)
      << store.status().ToString();
  EXPECT_NE(store.status().message().find(path_), std::string::npos);
}

TEST_F(SqliteMetaStoreTest, ReadOnlyStoreReadsButRefusesWrites) {
  SqliteOptions read_only;
  read_only.read_only = true;
  EXPECT_EQ(OpenSqliteMetaStore(path_, read_only).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Env::Default()->FileExists(path_));
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("k", "v").ok());
  }
  auto store = OpenStore(read_only);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ((*store->Get("k"))->value, "v");
  EXPECT_EQ(store->Scan("")->size(), 1u);
  EXPECT_EQ(store->Put("k", "w").status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(store->Delete("k").status().code(), StatusCode::kNotSupported);
  EXPECT_TRUE(store->Commit(Txn().If(Compare::Exists("k")).Then(TxnOp::Get("k"))).ok());
}

TEST_F(SqliteMetaStoreTest, InMemoryStoreWorks) {
  auto store = OpenSqliteMetaStore(":memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->Put("a", "1"), 1);
  EXPECT_EQ((*(*store)->Get("a"))->value, "1");
  EXPECT_FALSE(Env::Default()->FileExists(":memory:"));
}

TEST_F(SqliteMetaStoreTest, ThreadsIncrementingOneCounterLoseNoUpdate) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("counter", "0").ok());
  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int done = 0; done < kIncrements;) {
        auto kv = store->Get("counter");
        if (!kv.ok() || !kv->has_value()) {
          ++failures;
          return;
        }
        std::string next = std::to_string(std::stoll((*kv)->value) + 1);
        auto swapped = store->CompareAndSwap("counter", (*kv)->mod_revision, next);
        if (swapped.ok()) {
          ++done;
        } else if (!swapped.status().IsAborted()) {
          ++failures;
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*store->Get("counter"))->value, std::to_string(kThreads * kIncrements));
  EXPECT_EQ(*store->CurrentRevision(), 1 + kThreads * kIncrements);
}

// A second connection waits for the first one's write lock only up to its busy timeout, then
// reports kUnavailable rather than hanging or failing with a generic error.
TEST_F(SqliteMetaStoreTest, WriterBlockedBeyondBusyTimeoutIsUnavailable) {
  std::promise<void> inside;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  SqliteOptions holder_options;
  holder_options.TEST_txn_hook = [&, fired = false](size_t step) mutable {
    if (step != 0 || fired) return;
    fired = true;
    inside.set_value();
    released.wait();
  };
  auto holder = OpenStore(holder_options);
  SqliteOptions impatient_options;
  impatient_options.busy_timeout_ms = 100;
  auto impatient = OpenStore(impatient_options);
  ASSERT_NE(holder, nullptr);
  ASSERT_NE(impatient, nullptr);

  std::thread writer([&] { EXPECT_TRUE(holder->Put("held", "1").ok()); });
  inside.get_future().wait();
  Status blocked = impatient->Put("other", "2").status();
  EXPECT_EQ(blocked.code(), StatusCode::kUnavailable) << blocked.ToString();
  EXPECT_NE(blocked.message().find(path_), std::string::npos);
  // Reads are not blocked by a writer in WAL mode.
  EXPECT_EQ(*impatient->CurrentRevision(), 0);
  release.set_value();
  writer.join();
  EXPECT_EQ(*impatient->Put("other", "2"), 2);
  EXPECT_EQ((*impatient->Get("held"))->value, "1");
}

}  // namespace
}  // namespace vdb::meta
