// Tests of the segment pieces the streaming node is built on: the column batch codec, the
// growing segment and the delete buffer's visibility rule.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "common/coding.h"
#include "segment/column_codec.h"
#include "segment/delete_buffer.h"
#include "segment/growing_segment.h"

namespace vdb::segment {
namespace {

FieldSchema Field(int64_t id, std::string name, DataType type) {
  FieldSchema f;
  f.id = FieldId(id);
  f.name = std::move(name);
  f.type = type;
  return f;
}

// Every type the codec handles, a few rows each.
struct AllTypes {
  std::vector<FieldSchema> fields;
  std::vector<ColumnData> columns;
};

AllTypes MakeAllTypes(size_t rows) {
  AllTypes t;
  auto pk = Field(100, "id", DataType::kInt64);
  pk.primary_key = true;
  auto vec = Field(101, "vec", DataType::kFloatVector);
  vec.dim = 4;
  auto bin = Field(102, "bin", DataType::kBinaryVector);
  bin.dim = 16;
  auto tag = Field(103, "tag", DataType::kVarChar);
  tag.max_length = 16;
  tag.nullable = true;
  auto arr = Field(104, "arr", DataType::kArray);
  arr.element_type = DataType::kInt32;
  arr.max_capacity = 8;
  auto sarr = Field(105, "sarr", DataType::kArray);
  sarr.element_type = DataType::kVarChar;
  sarr.max_capacity = 8;
  sarr.max_length = 8;
  auto flag = Field(106, "flag", DataType::kBool);
  auto i8 = Field(107, "i8", DataType::kInt8);
  i8.nullable = true;
  auto dbl = Field(108, "dbl", DataType::kDouble);
  auto js = Field(109, "js", DataType::kJson);
  auto sp = Field(110, "sp", DataType::kSparseFloatVector);
  t.fields = {pk, vec, bin, tag, arr, sarr, flag, i8, dbl, js, sp};
  for (const auto& f : t.fields) t.columns.emplace_back(f);
  for (size_t r = 0; r < rows; ++r) {
    t.columns[0].AppendInt(static_cast<int64_t>(r) * 7 - 3);
    float v[4] = {float(r), 0.5f, -1.0f, float(r) * 2};
    t.columns[1].AppendFloatVector(v);
    t.columns[2].AppendVectorBytes(std::string{char(r), char(r + 1)});
    if (r % 3 == 0) {
      t.columns[3].AppendNull();
    } else {
      t.columns[3].AppendString("tag" + std::to_string(r));
    }
    ColumnData ints(DataType::kInt32);
    for (size_t i = 0; i < r % 4; ++i) ints.AppendInt(static_cast<int64_t>(i));
    t.columns[4].AppendArray(ints);
    ColumnData strs(DataType::kVarChar);
    for (size_t i = 0; i < r % 3; ++i) strs.AppendString("s" + std::to_string(i));
    t.columns[5].AppendArray(strs);
    t.columns[6].AppendBool(r % 2 == 0);
    if (r % 2 == 0) {
      t.columns[7].AppendInt(static_cast<int64_t>(r % 100));
    } else {
      t.columns[7].AppendNull();
    }
    t.columns[8].AppendDouble(double(r) / 3);
    t.columns[9].AppendString("{\"r\":" + std::to_string(r) + "}");
    t.columns[10].AppendSparse({{uint32_t(r), 1.5f}, {uint32_t(r + 9), -2.0f}});
  }
  return t;
}

TEST(ColumnCodecTest, RoundTripsEveryType) {
  for (size_t rows : {0, 1, 9, 100}) {
    AllTypes t = MakeAllTypes(rows);
    std::string bytes = EncodeColumns(t.fields, t.columns);
    size_t n = 99;
    auto decoded = DecodeColumns(t.fields, bytes, &n);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(n, rows);
    ASSERT_EQ(decoded->size(), t.columns.size());
    for (size_t i = 0; i < t.columns.size(); ++i) {
      EXPECT_TRUE((*decoded)[i] == t.columns[i]) << "field " << t.fields[i].name;
    }
  }
}

TEST(ColumnCodecTest, AcceptsColumnsInAnyOrder) {
  AllTypes t = MakeAllTypes(5);
  std::vector<FieldSchema> reversed(t.fields.rbegin(), t.fields.rend());
  std::vector<ColumnData> columns(t.columns.rbegin(), t.columns.rend());
  size_t n = 0;
  auto decoded = DecodeColumns(t.fields, EncodeColumns(reversed, columns), &n);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  for (size_t i = 0; i < t.columns.size(); ++i) EXPECT_TRUE((*decoded)[i] == t.columns[i]);
}

TEST(ColumnCodecTest, EveryTruncationFailsCleanly) {
  AllTypes t = MakeAllTypes(6);
  std::string bytes = EncodeColumns(t.fields, t.columns);
  for (size_t len = 0; len < bytes.size(); ++len) {
    size_t n = 0;
    auto decoded = DecodeColumns(t.fields, std::string_view(bytes).substr(0, len), &n);
    ASSERT_FALSE(decoded.ok()) << "prefix of " << len << " bytes decoded";
    StatusCode code = decoded.status().code();
    EXPECT_TRUE(code == StatusCode::kCorruption || code == StatusCode::kInvalidArgument);
  }
}

TEST(ColumnCodecTest, FlippedBytesNeverCrash) {
  AllTypes t = MakeAllTypes(6);
  std::string bytes = EncodeColumns(t.fields, t.columns);
  const uint8_t masks[] = {0x01, 0x80, 0xff, 0x10};
  size_t failures = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ masks[i % 4]);
    size_t n = 0;
    auto decoded = DecodeColumns(t.fields, bad, &n);
    if (!decoded.ok()) {
      ++failures;
      continue;
    }
    // Whatever decodes must be a consistent batch.
    for (size_t c = 0; c < decoded->size(); ++c) {
      EXPECT_EQ((*decoded)[c].size(), n);
      EXPECT_TRUE(CheckColumnForField(t.fields[c], (*decoded)[c], n).ok());
    }
  }
  EXPECT_GT(failures, 10u);  // flips in headers and lengths; flipped values still decode
}

TEST(ColumnCodecTest, RejectsBatchesThatDoNotMatchTheSchema) {
  AllTypes t = MakeAllTypes(3);
  std::string bytes = EncodeColumns(t.fields, t.columns);
  size_t n = 0;
  // A schema with a different dim.
  auto other = t.fields;
  other[1].dim = 8;
  EXPECT_EQ(DecodeColumns(other, bytes, &n).status().code(), StatusCode::kInvalidArgument);
  // A missing column.
  auto fewer_fields = std::vector<FieldSchema>(t.fields.begin(), t.fields.end() - 1);
  auto fewer_columns = std::vector<ColumnData>(t.columns.begin(), t.columns.end() - 1);
  EXPECT_EQ(DecodeColumns(t.fields, EncodeColumns(fewer_fields, fewer_columns), &n).status().code(),
            StatusCode::kInvalidArgument);
  // A VarChar over max_length.
  auto tight = t.fields;
  tight[3].max_length = 3;
  auto s = DecodeColumns(tight, bytes, &n).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("max_length"), std::string::npos) << s.ToString();
  // Trailing garbage.
  EXPECT_EQ(DecodeColumns(t.fields, bytes + "x", &n).status().code(), StatusCode::kCorruption);
}

// A schema of an int64 key and a 2-d vector.
CollectionSchema SmallSchema() {
  CollectionSchema schema;
  schema.name = "c";
  auto pk = Field(100, "id", DataType::kInt64);
  pk.primary_key = true;
  auto vec = Field(101, "vec", DataType::kFloatVector);
  vec.dim = 2;
  schema.fields = {pk, vec};
  return schema;
}

std::vector<ColumnData> Rows(const CollectionSchema& schema, std::vector<int64_t> pks) {
  std::vector<ColumnData> cols;
  for (const auto& f : schema.fields) cols.emplace_back(f);
  for (int64_t pk : pks) {
    cols[0].AppendInt(pk);
    float v[2] = {float(pk), 0};
    cols[1].AppendFloatVector(v);
  }
  return cols;
}

// Rows visible at `read_ts`, as row indexes.
std::vector<size_t> Visible(const GrowingSegment& seg, const DeleteBuffer& deletes,
                            Timestamp read_ts) {
  auto view = seg.Read();
  std::vector<uint64_t> words;
  deletes.BuildVisibility(view.pk_index(), view.timestamps(), view.rows(), read_ts, &words);
  std::vector<size_t> rows;
  for (size_t r = 0; r < view.rows(); ++r) {
    if ((words[r / 64] >> (r % 64)) & 1) rows.push_back(r);
  }
  return rows;
}

TEST(GrowingSegmentTest, VisibilityFollowsInsertDeleteReinsertAndUpsert) {
  CollectionSchema schema = SmallSchema();
  GrowingSegment seg(CollectionId(1), PartitionId(2), schema);
  DeleteBuffer deletes;
  ASSERT_TRUE(seg.Append(Rows(schema, {1}), 10).ok());  // row 0
  ASSERT_TRUE(seg.Append(Rows(schema, {2}), 15).ok());  // row 1
  deletes.Add(int64_t{1}, 20);
  ASSERT_TRUE(seg.Append(Rows(schema, {1}), 30).ok());  // row 2: re-insert
  // Upsert of key 2 at 40: a delete and an insert at the same timestamp.
  deletes.Add(int64_t{2}, 40);
  ASSERT_TRUE(seg.Append(Rows(schema, {2}), 40).ok());  // row 3
  EXPECT_EQ(seg.num_rows(), 4u);
  EXPECT_EQ(seg.min_ts(), 10u);
  EXPECT_EQ(seg.max_ts(), 40u);

  using V = std::vector<size_t>;
  EXPECT_EQ(Visible(seg, deletes, 5), V{});
  EXPECT_EQ(Visible(seg, deletes, 10), (V{0}));
  EXPECT_EQ(Visible(seg, deletes, 15), (V{0, 1}));
  EXPECT_EQ(Visible(seg, deletes, 19), (V{0, 1}));
  EXPECT_EQ(Visible(seg, deletes, 20), (V{1}));
  EXPECT_EQ(Visible(seg, deletes, 29), (V{1}));
  EXPECT_EQ(Visible(seg, deletes, 30), (V{1, 2}));
  EXPECT_EQ(Visible(seg, deletes, 39), (V{1, 2}));
  EXPECT_EQ(Visible(seg, deletes, 40), (V{2, 3}));
  EXPECT_EQ(Visible(seg, deletes, kMaxTimestamp), (V{2, 3}));

  EXPECT_TRUE(deletes.Hides(int64_t{1}, 10, 20));
  EXPECT_FALSE(deletes.Hides(int64_t{1}, 30, 100));
  EXPECT_FALSE(deletes.Hides(int64_t{2}, 40, 40));
  EXPECT_FALSE(deletes.Hides(int64_t{3}, 1, 100));

  auto range = deletes.Range(20, 40);
  ASSERT_EQ(range.size(), 1u);
  EXPECT_EQ(range[0].ts, 40u);
  EXPECT_EQ(deletes.Range(0, kMaxTimestamp).size(), 2u);
  deletes.PruneUpTo(20);
  EXPECT_EQ(deletes.size(), 1u);
  EXPECT_EQ(Visible(seg, deletes, 40), (V{0, 2, 3}));  // the pruned delete no longer hides row 0
}

TEST(GrowingSegmentTest, VisibilityWithManyKeysUsesEitherSide) {
  // More deletes than keys and more keys than deletes must agree with the per-row rule.
  CollectionSchema schema = SmallSchema();
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial) + " seed 7");
    GrowingSegment seg(CollectionId(1), PartitionId(2), schema);
    DeleteBuffer deletes;
    std::vector<std::pair<int64_t, Timestamp>> rows;
    Timestamp ts = 1;
    for (int i = 0; i < 300; ++i) {
      int64_t key = static_cast<int64_t>(rng() % (trial == 0 ? 20 : 400));
      if (rng() % 3 == 0) {
        deletes.Add(key, ++ts);
      } else {
        ASSERT_TRUE(seg.Append(Rows(schema, {key}), ++ts).ok());
        rows.emplace_back(key, ts);
      }
    }
    for (Timestamp read : {Timestamp{50}, Timestamp{200}, Timestamp{1000}}) {
      auto visible = Visible(seg, deletes, read);
      std::vector<size_t> expected;
      for (size_t r = 0; r < rows.size(); ++r) {
        if (rows[r].second <= read && !deletes.Hides(rows[r].first, rows[r].second, read)) {
          expected.push_back(r);
        }
      }
      EXPECT_EQ(visible, expected) << "read at " << read;
    }
  }
}

TEST(GrowingSegmentTest, RejectsColumnsThatDoNotMatch) {
  CollectionSchema schema = SmallSchema();
  GrowingSegment seg(CollectionId(1), PartitionId(2), schema);
  auto cols = Rows(schema, {1, 2});
  cols[1] = ColumnData(DataType::kFloatVector, 4);
  EXPECT_EQ(seg.Append(cols, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(seg.num_rows(), 0u);
}

TEST(GrowingSegmentTest, ReadersSeeWholeRowsWhileAppending) {
  CollectionSchema schema = SmallSchema();
  GrowingSegment seg(CollectionId(1), PartitionId(2), schema);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int64_t i = 0; i < 2000; ++i) {
      ASSERT_TRUE(seg.Append(Rows(schema, {i, i + 1}), static_cast<Timestamp>(i + 1)).ok());
    }
    done = true;
  });
  size_t last = 0;
  while (!done) {
    auto view = seg.Read();
    ASSERT_GE(view.rows(), last);
    last = view.rows();
    ASSERT_EQ(view.rows() % 2, 0u);  // batches appear whole
    const float* v = view.float_vectors(1);
    for (size_t r = 0; r < view.rows(); r += 97) {
      ASSERT_EQ(static_cast<int64_t>(v[r * 2]), std::get<int64_t>(view.pk(r)));
    }
  }
  writer.join();
  EXPECT_EQ(seg.num_rows(), 4000u);
  SegmentData data = seg.ToSegmentData(SegmentId(9));
  EXPECT_EQ(data.timestamps.size(), 4000u);
  EXPECT_TRUE(ValidateSegmentData(data).ok());
}

}  // namespace
}  // namespace vdb::segment
