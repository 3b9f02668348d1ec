// Helpers shared by the WAL tests: deterministic payloads and reading a whole log back.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/env.h"
#include "wal/wal.h"

namespace vdb::wal::test {

// Payload number `id`: its size varies with id (0..size_mod-1 bytes) and its bytes depend on id,
// so a record moved, swapped or cut is detected.
inline std::string Payload(uint64_t id, size_t size_mod = 61) {
  std::string out;
  size_t n = static_cast<size_t>((id * 7919) % size_mod);
  out.reserve(n + 20);
  out += std::to_string(id) + ":";
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>('a' + (id + i) % 26));
  return out;
}

struct ReadBack {
  uint64_t lsn;
  uint8_t type;
  Timestamp timestamp;
  std::string payload;
};

// Reads every durable record from `from`; fails the test on an error.
inline std::vector<ReadBack> ReadAll(const Wal& wal, Lsn from = Lsn(1)) {
  std::vector<ReadBack> out;
  auto reader = wal.NewReader(from);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  Record r;
  while (true) {
    auto got = (*reader)->Next(&r);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || !*got) break;
    out.push_back({r.lsn.value(), r.type, r.timestamp, std::string(r.payload)});
  }
  return out;
}

// Appends records with ids [first, first + n), payload Payload(id), type 1 + id % 5, ts id * 10.
inline void AppendRange(Wal* wal, uint64_t first, uint64_t n) {
  for (uint64_t id = first; id < first + n; ++id) {
    auto lsn = wal->Append(static_cast<uint8_t>(1 + id % 5), id * 10, Payload(id));
    ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
  }
}

// Checks that records are exactly ids [first, first + n) with LSN == id.
inline void ExpectRange(const std::vector<ReadBack>& records, uint64_t first, uint64_t n) {
  ASSERT_EQ(records.size(), n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t id = first + i;
    ASSERT_EQ(records[i].lsn, id);
    ASSERT_EQ(records[i].type, 1 + id % 5) << "lsn " << id;
    ASSERT_EQ(records[i].timestamp, id * 10) << "lsn " << id;
    ASSERT_EQ(records[i].payload, Payload(id)) << "lsn " << id;
  }
}

}  // namespace vdb::wal::test
