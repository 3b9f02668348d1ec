// Crash-test helpers: a steady insert load from several client threads over the public HTTP API,
// recording which ids were acknowledged and which were sent in a request that failed (and so may
// or may not have been applied), and the check that a Strong read afterwards agrees with that
// record. Every id is sent in at most one request (a failed request is retried with fresh ids),
// so a correct vdbd holds each acknowledged id exactly once and each maybe-id at most once.
// Thread-safety: InsertLoad's methods are called from one thread; it runs its own clients.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/vdbd_harness.h"

namespace vdb::test {

struct LoadOptions {
  std::string collection;
  int clients = 4;
  int batch_rows = 50;
  int dim = 8;
  uint64_t seed = 1;
  int64_t request_timeout_ms = 10000;
};

// Creates `collection` (Int64 primary key "id" given by the client, FloatVector "vector" of
// `dim`, L2, Strong) and waits until it is loaded.
Status CreateCrashCollection(VdbdHarness* vdbd, const std::string& collection, int dim);

class InsertLoad {
 public:
  InsertLoad(VdbdHarness* vdbd, LoadOptions options);
  ~InsertLoad();  // Stops the clients.
  InsertLoad(const InsertLoad&) = delete;
  InsertLoad& operator=(const InsertLoad&) = delete;

  void Start();
  // Stops the clients after their request in flight; the sets below are final afterwards.
  void Stop();

  // Acknowledged rows so far.
  uint64_t acked_rows() const { return acked_rows_.load(); }
  uint64_t failed_requests() const { return failed_requests_.load(); }
  // Waits until `n` more rows than now are acknowledged; false after `timeout_ms`.
  bool WaitForMoreAcks(uint64_t n, int64_t timeout_ms) const;

  // REQUIRES: Stop() was called.
  const std::vector<int64_t>& acked_ids() const { return acked_; }
  const std::vector<int64_t>& maybe_ids() const { return maybe_; }
  // One line per distinct failure message with its count, for the log.
  std::string FailureSummary() const;

 private:
  void Client(int index);

  VdbdHarness* const vdbd_;
  const LoadOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> acked_rows_{0};
  std::atomic<uint64_t> failed_requests_{0};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<int64_t> acked_;                         // GUARDED_BY(mu_)
  std::vector<int64_t> maybe_;                         // GUARDED_BY(mu_)
  std::vector<std::pair<std::string, int>> failures_;  // GUARDED_BY(mu_)
};

// Strong-reads `collection` and checks it against the record: each acked id is present exactly
// once, each maybe-id at most once, and count(*) equals the number of distinct ids found (so no
// unknown id and no second copy of any row exists). `found_maybe` gets how many maybe-ids exist.
::testing::AssertionResult VerifyRows(VdbdHarness* vdbd, const std::string& collection,
                                      const std::vector<int64_t>& acked,
                                      const std::vector<int64_t>& maybe, size_t* found_maybe);

// The seed for this run: $VDB_CRASH_SEED when set, else `fallback`. Printed by the caller.
uint64_t CrashSeed(uint64_t fallback);

}  // namespace vdb::test
