#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <random>
#include <thread>

#include "common/env.h"
#include "segment/format.h"
#include "segment/segment_reader.h"
#include "segment/segment_writer.h"
#include "storage/object_store.h"
#include "util/temp_dir.h"

namespace vdb::segment {
namespace {

FieldSchema Field(int64_t id, const char* name, DataType type) {
  FieldSchema f;
  f.id = FieldId(id);
  f.name = name;
  f.type = type;
  return f;
}

// One field of every type.
CollectionSchema AllTypesSchema(DataType pk_type = DataType::kInt64) {
  CollectionSchema s;
  s.name = "all_types";
  auto pk = Field(100, "pk", pk_type);
  pk.primary_key = true;
  pk.max_length = 64;
  auto vec = Field(101, "vec", DataType::kFloatVector);
  vec.dim = 8;
  auto bin = Field(102, "bin", DataType::kBinaryVector);
  bin.dim = 16;
  auto f16 = Field(103, "f16", DataType::kFloat16Vector);
  f16.dim = 4;
  auto bf16 = Field(104, "bf16", DataType::kBFloat16Vector);
  bf16.dim = 4;
  auto b = Field(106, "b", DataType::kBool);
  b.nullable = true;
  auto i32 = Field(109, "i32", DataType::kInt32);
  i32.nullable = true;
  auto d = Field(111, "d", DataType::kDouble);
  d.nullable = true;
  auto str = Field(112, "s", DataType::kVarChar);
  str.max_length = 65535;
  str.nullable = true;
  str.default_value = std::string("dflt");
  auto ai = Field(114, "ai", DataType::kArray);
  ai.element_type = DataType::kInt64;
  ai.max_capacity = 100;
  auto as = Field(115, "as", DataType::kArray);
  as.element_type = DataType::kVarChar;
  as.max_capacity = 100;
  as.max_length = 100;
  s.fields = {pk,
              vec,
              bin,
              f16,
              bf16,
              Field(105, "sparse", DataType::kSparseFloatVector),
              b,
              Field(107, "i8", DataType::kInt8),
              Field(108, "i16", DataType::kInt16),
              i32,
              Field(110, "f", DataType::kFloat),
              d,
              str,
              Field(113, "j", DataType::kJson),
              ai,
              as};
  return s;
}

// Deterministic rows with the awkward cases: nulls, empty strings and arrays, unicode, a large
// VarChar.
SegmentData MakeData(const CollectionSchema& schema, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  SegmentData data;
  data.segment_id = SegmentId(7);
  data.collection_id = CollectionId(1);
  data.partition_id = PartitionId(2);
  data.schema = schema;
  for (const auto& f : schema.fields) data.columns.emplace_back(f);
  for (size_t r = 0; r < n; ++r) {
    data.timestamps.push_back(1000 + r);
    for (size_t c = 0; c < schema.fields.size(); ++c) {
      const FieldSchema& f = schema.fields[c];
      ColumnData& col = data.columns[c];
      if (f.nullable && r % 4 == 1) {
        col.AppendNull();
        continue;
      }
      switch (f.type) {
        case DataType::kInt64:
          col.AppendInt(f.primary_key ? static_cast<int64_t>(r * 3 + 5) : int64_t(rng()));
          break;
        case DataType::kVarChar:
          if (f.primary_key) {
            col.AppendString("key-" + std::to_string(r));
          } else if (r % 5 == 0) {
            col.AppendString("");
          } else if (r == 3 && f.max_length >= 60000) {
            col.AppendString(std::string(60000, 'L'));
          } else {
            col.AppendString("h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c " + std::to_string(rng()));
          }
          break;
        case DataType::kFloatVector: {
          std::vector<float> v(f.dim);
          for (auto& x : v) x = static_cast<float>(rng() % 1000) / 7.0f;
          col.AppendFloatVector(v.data());
          break;
        }
        case DataType::kBinaryVector:
        case DataType::kFloat16Vector:
        case DataType::kBFloat16Vector: {
          std::string bytes(VectorRowBytes(f.type, f.dim), '\0');
          for (auto& ch : bytes) ch = static_cast<char>(rng());
          col.AppendVectorBytes(bytes);
          break;
        }
        case DataType::kSparseFloatVector: {
          std::vector<SparseEntry> row;
          for (uint32_t i = 0; i < r % 4; ++i) row.push_back({i * 10 + 1, float(i) + 0.25f});
          col.AppendSparse(row);
          break;
        }
        case DataType::kBool:
          col.AppendBool(rng() % 2);
          break;
        case DataType::kInt8:
          col.AppendInt(static_cast<int8_t>(rng()));
          break;
        case DataType::kInt16:
          col.AppendInt(static_cast<int16_t>(rng()));
          break;
        case DataType::kInt32:
          col.AppendInt(static_cast<int32_t>(rng()));
          break;
        case DataType::kFloat:
          col.AppendFloat(static_cast<float>(rng() % 100) - 50.5f);
          break;
        case DataType::kDouble:
          col.AppendDouble(static_cast<double>(rng() % 1000) / 3.0);
          break;
        case DataType::kJson:
          col.AppendString("{\"n\": " + std::to_string(r) + ", \"s\": \"\xe2\x9c\x93\"}");
          break;
        case DataType::kArray: {
          ColumnData elems(f.element_type);
          for (size_t i = 0; i < r % 3; ++i) {  // every third row an empty array
            if (f.element_type == DataType::kVarChar) {
              elems.AppendString(i == 0 ? "" : "\xf0\x9f\x98\x80 x" + std::to_string(i));
            } else {
              elems.AppendInt(static_cast<int64_t>(r * 100 + i));
            }
          }
          col.AppendArray(elems);
          break;
        }
        default:
          ADD_FAILURE() << "unhandled type";
      }
    }
  }
  bool int_keys = schema.fields[0].type == DataType::kInt64;
  DeleteRecord late, early;
  late.ts = 5000;
  early.ts = 900;
  if (int_keys) {
    late.pk = int64_t{8};
    early.pk = int64_t{-4};
  } else {
    late.pk = std::string("key-1");
    early.pk = std::string("gone");
  }
  data.deletes.push_back(late);
  data.deletes.push_back(early);
  return data;
}

void ExpectRoundTrip(storage::ObjectStore* store, const SegmentData& data,
                     SegmentWriterOptions options = {}) {
  SegmentWriter writer(store, options);
  std::string prefix = SegmentPrefix(data.collection_id, data.partition_id, data.segment_id);
  auto manifest = writer.Write(prefix, data);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  auto reader = SegmentReader::Open(store, prefix);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->manifest(), *manifest);
  EXPECT_EQ((*reader)->schema(), data.schema);
  EXPECT_EQ((*reader)->row_count(), data.timestamps.size());
  for (size_t c = 0; c < data.schema.fields.size(); ++c) {
    auto col = (*reader)->ReadColumn(data.schema.fields[c].id);
    ASSERT_TRUE(col.ok()) << col.status().ToString();
    EXPECT_EQ(*col, data.columns[c]) << data.schema.fields[c].name;
  }
  EXPECT_EQ(*(*reader)->ReadTimestamps(), data.timestamps);
  auto deletes = (*reader)->ReadDeletes();
  ASSERT_TRUE(deletes.ok()) << deletes.status().ToString();
  std::vector<DeleteRecord> sorted = data.deletes;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(*deletes, sorted);
  EXPECT_TRUE((*reader)->Verify().ok());
  auto stats = (*reader)->ReadStats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->row_count, data.timestamps.size());
}

TEST(SegmentTest, RoundTripEveryType) {
  auto store = storage::NewMemoryObjectStore();
  ExpectRoundTrip(store.get(), MakeData(AllTypesSchema(), 200, 1));
}

TEST(SegmentTest, RoundTripVarCharKeysAndSmallBlocks) {
  auto store = storage::NewMemoryObjectStore();
  ExpectRoundTrip(store.get(), MakeData(AllTypesSchema(DataType::kVarChar), 300, 2),
                  SegmentWriterOptions{256, 1, 0.01});
}

TEST(SegmentTest, EmptySegment) {
  auto store = storage::NewMemoryObjectStore();
  SegmentData data = MakeData(AllTypesSchema(), 0, 3);
  data.deletes.clear();
  ExpectRoundTrip(store.get(), data);
  auto reader = *SegmentReader::Open(store.get(), "1/2/7");
  EXPECT_EQ(reader->manifest().min_timestamp, 0u);
  EXPECT_EQ(reader->ReadRows(FieldId(112), 0, 0)->size(), 0u);
  auto stats = *reader->ReadStats();
  EXPECT_FALSE(stats.min_pk.has_value());
  auto vectors = reader->MapFloatVectors(FieldId(101));
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
  EXPECT_EQ((*vectors)->rows(), 0u);
}

TEST(SegmentTest, RowRangeReadsAcrossBlocks) {
  auto store = storage::NewMemoryObjectStore();
  SegmentData data = MakeData(AllTypesSchema(), 500, 4);
  ASSERT_TRUE(SegmentWriter(store.get(), {512, 3, 0.01}).Write("seg", data).ok());
  auto reader = *SegmentReader::Open(store.get(), "seg");
  std::mt19937 rng(4);
  for (int i = 0; i < 50; ++i) {
    size_t c = rng() % data.columns.size();
    uint64_t a = rng() % 501, z = rng() % 501;
    if (a > z) std::swap(a, z);
    auto got = reader->ReadRows(data.schema.fields[c].id, a, z);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ColumnData want(data.schema.fields[c]);
    want.AppendRows(data.columns[c], a, z - a);
    ASSERT_EQ(*got, want) << data.schema.fields[c].name << " [" << a << ", " << z << ")";
  }
  EXPECT_EQ(reader->ReadRows(FieldId(100), 10, 501).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(reader->ReadColumn(FieldId(999)).status().IsNotFound());
}

TEST(SegmentTest, MapFloatVectorsLocalIsMappedAndAligned) {
  test::TempDir dir;
  auto store = *storage::OpenLocalObjectStore(Env::Default(), dir.Sub("objects"));
  SegmentData data = MakeData(AllTypesSchema(), 1000, 5);
  ASSERT_TRUE(SegmentWriter(store.get(), {4096, 3, 0.01}).Write("c/p/s", data).ok());
  auto reader = *SegmentReader::Open(store.get(), "c/p/s/");
  auto vectors = reader->MapFloatVectors(FieldId(101));
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
  EXPECT_TRUE((*vectors)->is_mapped());
  EXPECT_EQ(reinterpret_cast<uintptr_t>((*vectors)->floats()) % kVectorAlignment, 0u);
  ASSERT_EQ((*vectors)->rows(), 1000u);
  EXPECT_EQ(0, std::memcmp((*vectors)->floats(), data.columns[1].values().data(),
                           data.columns[1].values().size()));
  auto bin = reader->MapFloatVectors(FieldId(102));
  ASSERT_TRUE(bin.ok());
  EXPECT_EQ((*bin)->bytes(), data.columns[2].values());
  EXPECT_EQ(reader->MapFloatVectors(FieldId(112)).status().code(), StatusCode::kInvalidArgument);
  // A store that cannot map hands out an owned copy.
  auto memory = storage::NewMemoryObjectStore();
  ASSERT_TRUE(SegmentWriter(memory.get()).Write("s", data).ok());
  auto copy = (*SegmentReader::Open(memory.get(), "s"))->MapFloatVectors(FieldId(101));
  ASSERT_TRUE(copy.ok());
  EXPECT_FALSE((*copy)->is_mapped());
  EXPECT_EQ((*copy)->bytes(), data.columns[1].values());
}

TEST(SegmentTest, StatsAndDeletes) {
  auto store = storage::NewMemoryObjectStore();
  SegmentData data = MakeData(AllTypesSchema(), 100, 6);
  ASSERT_TRUE(SegmentWriter(store.get()).Write("s", data).ok());
  auto reader = *SegmentReader::Open(store.get(), "s");
  auto stats = *reader->ReadStats();
  EXPECT_EQ(stats.pk_type, DataType::kInt64);
  EXPECT_EQ(std::get<int64_t>(*stats.min_pk), 5);
  EXPECT_EQ(std::get<int64_t>(*stats.max_pk), 99 * 3 + 5);
  for (int64_t r = 0; r < 100; ++r) EXPECT_TRUE(stats.pk_filter.MayContainInt64(r * 3 + 5));
  const FieldStats* i32 = stats.Find(FieldId(109));
  ASSERT_NE(i32, nullptr);
  EXPECT_EQ(i32->null_count, 25u);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t r = 0; r < 100; ++r) {
    if (data.columns[9].IsNull(r)) continue;
    lo = std::min(lo, data.columns[9].GetInt(r));
    hi = std::max(hi, data.columns[9].GetInt(r));
  }
  EXPECT_EQ(i32->kind, FieldStats::Kind::kInt);
  EXPECT_EQ(i32->min_int, lo);
  EXPECT_EQ(i32->max_int, hi);
  const FieldStats* f = stats.Find(FieldId(110));
  EXPECT_EQ(f->kind, FieldStats::Kind::kDouble);
  EXPECT_EQ(stats.Find(FieldId(113))->kind, FieldStats::Kind::kNone);
  auto deletes = *reader->ReadDeletes();
  ASSERT_EQ(deletes.size(), 2u);
  EXPECT_EQ(std::get<int64_t>(deletes[0].pk), -4);    // sorted by key
  EXPECT_EQ(reader->manifest().min_timestamp, 900u);  // deletes count towards the range
  EXPECT_EQ(reader->manifest().max_timestamp, 5000u);
}

TEST(SegmentTest, WriterRejectsMismatchedInputAndWritesNothing) {
  auto store = storage::NewMemoryObjectStore();
  SegmentData data = MakeData(AllTypesSchema(), 10, 7);
  SegmentData short_ts = data;
  short_ts.timestamps.pop_back();
  EXPECT_EQ(SegmentWriter(store.get()).Write("s", short_ts).status().code(),
            StatusCode::kInvalidArgument);
  SegmentData bad_delete = data;
  bad_delete.deletes.push_back({PrimaryKey(std::string("str")), 1});
  EXPECT_EQ(SegmentWriter(store.get()).Write("s", bad_delete).status().code(),
            StatusCode::kInvalidArgument);
  SegmentData wrong_type = data;
  wrong_type.columns[7] = ColumnData(DataType::kInt16);
  EXPECT_EQ(SegmentWriter(store.get()).Write("s", wrong_type).status().code(),
            StatusCode::kInvalidArgument);
  SegmentData too_long = data;
  too_long.schema.fields[12].max_length = 10;  // "s" holds longer strings
  Status st = SegmentWriter(store.get()).Write("s", too_long).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("max_length"), std::string::npos) << st.ToString();
  EXPECT_TRUE(store->List("")->empty());
  EXPECT_TRUE(SegmentReader::Open(store.get(), "s").status().IsNotFound());
}

TEST(SegmentTest, ConcurrentReadsShareOneReader) {
  auto store = storage::NewMemoryObjectStore();
  SegmentData data = MakeData(AllTypesSchema(), 400, 10);
  ASSERT_TRUE(SegmentWriter(store.get(), {1024, 3, 0.01}).Write("s", data).ok());
  auto reader = *SegmentReader::Open(store.get(), "s");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      for (int i = 0; i < 50; ++i) {
        size_t c = rng() % data.columns.size();
        uint64_t a = rng() % 400, z = a + rng() % (401 - a);
        auto got = reader->ReadRows(data.schema.fields[c].id, a, z);
        ColumnData want(data.schema.fields[c]);
        want.AppendRows(data.columns[c], a, z - a);
        if (!got.ok() || !(*got == want)) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// Reads everything a query node would; returns the first error.
Status ReadAll(storage::ObjectStore* store, const std::string& prefix) {
  VDB_ASSIGN_OR_RETURN(auto reader, SegmentReader::Open(store, prefix));
  for (const auto& f : reader->schema().fields) {
    VDB_RETURN_IF_ERROR(reader->ReadColumn(f.id).status());
    if (IsDenseVector(f.type)) VDB_RETURN_IF_ERROR(reader->MapFloatVectors(f.id).status());
  }
  VDB_RETURN_IF_ERROR(reader->ReadTimestamps().status());
  VDB_RETURN_IF_ERROR(reader->ReadDeletes().status());
  return reader->ReadStats().status();
}

TEST(SegmentCorruptionTest, EveryTruncationAndByteFlipIsCorruptionNamingTheFile) {
  // A small segment (few fields, rows, small blocks) so every byte can be tried.
  CollectionSchema schema;
  schema.name = "small";
  auto pk = Field(100, "pk", DataType::kInt64);
  pk.primary_key = true;
  auto vec = Field(101, "vec", DataType::kFloatVector);
  vec.dim = 2;
  auto s = Field(102, "s", DataType::kVarChar);
  s.max_length = 100;
  s.nullable = true;
  schema.fields = {pk, vec, s};
  SegmentData data = MakeData(schema, 6, 8);
  auto store = storage::NewMemoryObjectStore();
  ASSERT_TRUE(SegmentWriter(store.get(), {24, 3, 0.01}).Write("seg", data).ok());
  ASSERT_TRUE(ReadAll(store.get(), "seg").ok());
  auto objects = *store->List("seg/");
  ASSERT_EQ(objects.size(), 7u);
  for (const auto& obj : objects) {
    std::string original = *store->Get(obj.key);
    SCOPED_TRACE(obj.key);
    auto check = [&](const std::string& damaged, const std::string& how) {
      ASSERT_TRUE(store->Put(obj.key, damaged).ok());
      Status st = ReadAll(store.get(), "seg");
      ASSERT_TRUE(st.IsCorruption()) << how << ": " << st.ToString();
      ASSERT_NE(st.message().find(obj.key), std::string::npos) << how << ": " << st.ToString();
    };
    for (size_t len = 0; len < original.size(); ++len) {
      check(original.substr(0, len), "truncated to " + std::to_string(len));
    }
    for (size_t i = 0; i < original.size(); ++i) {
      // One flip per byte, the mask cycling so low, high and all bits each get hit everywhere
      // across the files while the test stays fast under sanitizers.
      const uint8_t mask = std::array<uint8_t, 3>{0x01, 0x80, 0xff}[i % 3];
      std::string damaged = original;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      check(damaged, "byte " + std::to_string(i) + " ^ " + std::to_string(mask));
    }
    check(original + "x", "extended");
    ASSERT_TRUE(store->Put(obj.key, original).ok());
  }
  ASSERT_TRUE(ReadAll(store.get(), "seg").ok());
}

TEST(SegmentCorruptionTest, MissingFileIsNotFoundAndUnknownVersionIsCorruption) {
  auto store = storage::NewMemoryObjectStore();
  SegmentData data = MakeData(AllTypesSchema(), 5, 9);
  ASSERT_TRUE(SegmentWriter(store.get()).Write("seg", data).ok());
  ASSERT_TRUE(store->Delete("seg/stats.bin").ok());
  auto reader = *SegmentReader::Open(store.get(), "seg");
  EXPECT_TRUE(reader->ReadStats().status().IsNotFound());
  std::string manifest = *store->Get("seg/manifest.json");
  size_t pos = manifest.find("\"format_version\": 1");
  ASSERT_NE(pos, std::string::npos);
  manifest[pos + 18] = '2';
  ASSERT_TRUE(store->Put("seg/manifest.json", manifest).ok());
  auto st = SegmentReader::Open(store.get(), "seg").status();
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("manifest.json"), std::string::npos);
}

}  // namespace
}  // namespace vdb::segment
