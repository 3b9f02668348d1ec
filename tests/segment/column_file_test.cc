#include "segment/column_file.h"

#include <gtest/gtest.h>

#include <random>

#include "common/env.h"
#include "segment/delete_file.h"
#include "segment/manifest.h"
#include "segment/segment_stats.h"
#include "storage/object_store.h"
#include "util/temp_dir.h"

namespace vdb::segment {
namespace {

ColumnFileSpec Spec(const ColumnData& c, FieldId id, uint64_t size) {
  return ColumnFileSpec{id, c.type(), c.element_type(), c.dim(), c.nullable(), c.size(), size};
}

// Writes `c` with small blocks, then reads every range that starts or ends at or near a block
// boundary and compares with the source.
void CheckRanges(const ColumnData& c, uint64_t target_block_bytes) {
  auto store = storage::NewMemoryObjectStore();
  std::string bytes = EncodeColumnFile(FieldId(7), c, {target_block_bytes, 3});
  ASSERT_TRUE(store->Put("7.col", bytes).ok());
  auto reader = ColumnFileReader::Open(store.get(), "7.col", Spec(c, FieldId(7), bytes.size()));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_GT((*reader)->blocks().size(), 2u);
  std::vector<uint64_t> cuts = {0, c.size()};
  for (const auto& b : (*reader)->blocks()) {
    for (int64_t d : {-1, 0, 1}) {
      int64_t v = static_cast<int64_t>(b.first_row) + d;
      if (v >= 0 && v <= static_cast<int64_t>(c.size())) cuts.push_back(v);
    }
  }
  for (uint64_t a : cuts) {
    for (uint64_t z : cuts) {
      if (a > z) continue;
      auto got = (*reader)->ReadRows(a, z);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ColumnData want(c.type(), c.dim(), c.nullable(), c.element_type());
      want.AppendRows(c, a, z - a);
      ASSERT_EQ(*got, want) << "rows [" << a << ", " << z << ")";
    }
  }
  EXPECT_EQ((*reader)->ReadRows(0, c.size() + 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*reader)->ReadRows(3, 2).status().code(), StatusCode::kInvalidArgument);
}

TEST(ColumnFileTest, RowRangesAcrossBlockBoundaries) {
  std::mt19937 rng(7);
  ColumnData ints(DataType::kInt64);
  ColumnData nullable_ints(DataType::kInt32, 0, true);
  ColumnData strings(DataType::kVarChar, 0, true);
  ColumnData vectors(DataType::kFloatVector, 4);
  for (int i = 0; i < 300; ++i) {
    ints.AppendInt(1000 + i);
    if (i % 3 == 0) {
      nullable_ints.AppendNull();
      strings.AppendNull();
    } else {
      nullable_ints.AppendInt(-i);
      strings.AppendString(std::string(rng() % 20, static_cast<char>('a' + i % 26)));
    }
    float v[4] = {float(i), float(i) + 0.5f, -float(i), 1.0f / float(i + 1)};
    vectors.AppendFloatVector(v);
  }
  CheckRanges(ints, 256);
  CheckRanges(nullable_ints, 100);
  CheckRanges(strings, 300);
  CheckRanges(vectors, 512);
}

TEST(ColumnFileTest, ReadRowsFetchesOnlyTheNeededBlocks) {
  // A store that records the ranges asked of it.
  class CountingStore : public storage::ObjectStore {
   public:
    std::unique_ptr<storage::ObjectStore> inner = storage::NewMemoryObjectStore();
    uint64_t bytes_read = 0;
    Status Put(const std::string& k, std::string_view d) override { return inner->Put(k, d); }
    Result<std::string> Get(const std::string& k) override {
      auto r = inner->Get(k);
      if (r.ok()) bytes_read += r->size();
      return r;
    }
    Result<std::string> GetRange(const std::string& k, uint64_t o, uint64_t n) override {
      auto r = inner->GetRange(k, o, n);
      if (r.ok()) bytes_read += r->size();
      return r;
    }
    Result<storage::ObjectInfo> Stat(const std::string& k) override { return inner->Stat(k); }
    Result<std::vector<storage::ObjectInfo>> List(const std::string& p) override {
      return inner->List(p);
    }
    Status Delete(const std::string& k) override { return inner->Delete(k); }
    Result<std::unique_ptr<MappedFile>> Map(const std::string& k) override { return inner->Map(k); }
  } store;
  ColumnData vectors(DataType::kFloatVector, 64);
  std::vector<float> v(64, 1.0f);
  for (int i = 0; i < 4096; ++i) {
    v[0] = float(i);
    vectors.AppendFloatVector(v.data());
  }
  std::string bytes = EncodeColumnFile(FieldId(1), vectors, {64 * 1024, 3});  // 256 rows a block
  ASSERT_TRUE(store.Put("v.col", bytes).ok());
  auto reader = ColumnFileReader::Open(&store, "v.col", Spec(vectors, FieldId(1), bytes.size()));
  ASSERT_TRUE(reader.ok());
  store.bytes_read = 0;
  auto rows = (*reader)->ReadRows(1000, 1010);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->GetFloatVector(3)[0], 1003.0f);
  EXPECT_EQ(store.bytes_read, 64u * 1024);  // one block of a 1 MiB file
}

}  // namespace
}  // namespace vdb::segment

namespace vdb::segment {
namespace {

// The fuzz seed corpus doubles as format-version-1 fixtures: they must keep decoding.
TEST(ColumnFileTest, Version1FixturesStillDecode) {
  std::string dir = test::SourceDir() + "/tests/fuzz/corpus/segment_file/";
  struct Fixture {
    const char* name;
    FieldSchema field;
    uint64_t rows;
  };
  auto field = [](int64_t id, DataType type, int64_t dim, bool nullable, DataType element) {
    FieldSchema f;
    f.id = FieldId(id);
    f.type = type;
    f.dim = dim;
    f.nullable = nullable;
    f.element_type = element;
    return f;
  };
  std::vector<Fixture> fixtures = {
      {"int64.col", field(100, DataType::kInt64, 0, false, DataType::kNone), 12},
      {"varchar.col", field(101, DataType::kVarChar, 0, true, DataType::kNone), 9},
      {"vector.col", field(102, DataType::kFloatVector, 4, false, DataType::kNone), 6},
      {"array.col", field(103, DataType::kArray, 0, false, DataType::kVarChar), 5},
  };
  for (const auto& f : fixtures) {
    auto bytes = ReadFileToString(Env::Default(), dir + f.name);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto store = storage::NewMemoryObjectStore();
    ASSERT_TRUE(store->Put("f.col", bytes->substr(1)).ok());  // byte 0 is the fuzz selector
    auto reader = ColumnFileReader::Open(store.get(), "f.col",
                                         SpecForField(f.field, f.rows, bytes->size() - 1));
    ASSERT_TRUE(reader.ok()) << f.name << ": " << reader.status().ToString();
    auto rows = (*reader)->ReadRows(0, f.rows);
    ASSERT_TRUE(rows.ok()) << f.name << ": " << rows.status().ToString();
    EXPECT_EQ(rows->size(), f.rows);
  }
  auto deletes = ReadFileToString(Env::Default(), dir + "deletes_int.bin");
  ASSERT_TRUE(deletes.ok());
  auto d = DecodeDeletes(deletes->substr(1), DataType::kInt64, "deletes_int.bin");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size(), 2u);
  auto manifest = ReadFileToString(Env::Default(), dir + "manifest.json");
  ASSERT_TRUE(manifest.ok());
  auto m = DecodeManifest(manifest->substr(1), "manifest.json");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->row_count, 4u);
  auto stats = ReadFileToString(Env::Default(), dir + "stats.bin");
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(DecodeStats(stats->substr(1), "stats.bin").ok());
}

}  // namespace
}  // namespace vdb::segment
