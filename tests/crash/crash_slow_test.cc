// The long crash test (label slow): a two-shard collection, many rounds of kill -9 of a
// randomly chosen child at a random moment under insert load, then a kill of every process, and
// after each phase a Strong check that every acknowledged row is there exactly once. The seed is
// printed; rerun one with VDB_CRASH_SEED=N.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crash/crash_load.h"
#include "util/temp_dir.h"
#include "util/vdbd_harness.h"

namespace vdb::test {
namespace {

using Children = std::vector<std::pair<std::string, int>>;

// Starts vdbd with `extra_args` (`expected` children), creates a two-shard collection, kills a
// random one of `children` at a random moment `rounds` times under load, then every process.
void RandomKills(const std::vector<std::string>& extra_args, size_t expected,
                 const Children& children, int rounds) {
  uint64_t seed = CrashSeed(777);
  std::printf("crash test seed %llu (rerun with VDB_CRASH_SEED=%llu)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  TempDir dir;
  VdbdOptions options;
  options.vdbd_path = VDBD_PATH;
  options.data_dir = dir.Sub("data");
  options.extra_args = extra_args;
  options.expected_children = expected;
  VdbdHarness vdbd(options);
  Status started = vdbd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  nlohmann::json create = {{"collectionName", "crash"},
                           {"dimension", 8},
                           {"metricType", "L2"},
                           {"params", {{"consistencyLevel", "Strong"}, {"shardsNum", 2}}}};
  auto created = vdbd.Call("/v2/vectordb/collections/create", create);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r =
            vdbd.Call("/v2/vectordb/collections/get_load_state", {{"collectionName", "crash"}});
        return r.ok() && (*r)["data"].is_object() &&
               (*r)["data"].value("loadState", "") == "LoadStateLoaded";
      },
      30000, 100));

  LoadOptions load_options;
  load_options.collection = "crash";
  load_options.clients = 6;
  load_options.batch_rows = 40;
  load_options.seed = seed;
  InsertLoad load(&vdbd, load_options);
  load.Start();
  ASSERT_TRUE(load.WaitForMoreAcks(500, 20000));
  std::uniform_int_distribution<size_t> pick(0, children.size() - 1);
  std::uniform_int_distribution<int> pause_ms(0, 1500);
  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    const auto& [role, id] = children[pick(rng)];
    auto killed = vdbd.KillChild(role, id);
    ASSERT_TRUE(killed.ok()) << killed.status().ToString();
    Status back = vdbd.WaitRestarted(role, id, *killed, 60000);
    ASSERT_TRUE(back.ok()) << back.ToString() << "\n" << vdbd.OutputTail();
    ASSERT_TRUE(load.WaitForMoreAcks(100, 60000))
        << "inserts did not resume after killing " << role << "-" << id << "\n"
        << load.FailureSummary();
    std::printf("round %d: killed %s-%d, %llu rows acknowledged\n", round, role.c_str(), id,
                static_cast<unsigned long long>(load.acked_rows()));
  }
  // Last, every process at once.
  std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
  vdbd.Kill();
  load.Stop();
  std::printf("load: %zu acknowledged, %zu maybe\n%s", load.acked_ids().size(),
              load.maybe_ids().size(), load.FailureSummary().c_str());
  started = vdbd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  size_t found_maybe = 0;
  EXPECT_TRUE(VerifyRows(&vdbd, "crash", load.acked_ids(), load.maybe_ids(), &found_maybe));
  Status stopped = vdbd.Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  started = vdbd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  size_t found_maybe_after = 0;
  EXPECT_TRUE(VerifyRows(&vdbd, "crash", load.acked_ids(), load.maybe_ids(), &found_maybe_after));
  EXPECT_EQ(found_maybe, found_maybe_after);
}

TEST(VdbdCrashSlowTest, ManyRandomKillsOfQueryDataProxyCoord) {
  RandomKills({}, 5, {{"query", 1}, {"data", 1}, {"proxy", 1}, {"coord", 1}}, 20);
}

TEST(VdbdCrashSlowTest, ManyRandomKillsAcrossTwoStreamingNodes) {
  RandomKills({"--streaming-nodes", "2", "--query-nodes", "2"}, 7,
              {{"streaming", 1},
               {"streaming", 2},
               {"query", 1},
               {"query", 2},
               {"data", 1},
               {"proxy", 1},
               {"coord", 1}},
              20);
}

}  // namespace
}  // namespace vdb::test
