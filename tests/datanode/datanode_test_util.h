// Test helpers for lib/data: seeded sealed segments (an Int64 primary key and one float vector
// field) and recall against brute force.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/schema.h"
#include "index/brute_force.h"
#include "index/vector_index.h"
#include "segment/column_data.h"
#include "segment/segment_writer.h"

namespace vdb::data::test {

// Row-major n x d floats, uniform in [-1, 1), from `seed`.
inline std::vector<float> RandomVectors(int64_t n, int64_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n * d));
  for (float& v : x) v = dist(rng);
  return x;
}

// "id" Int64 primary key (field 100) + "vector" FloatVector(dim) (field 101).
inline CollectionSchema TwoFieldSchema(const std::string& name, int64_t dim) {
  CollectionSchema s;
  s.name = name;
  FieldSchema pk;
  pk.id = FieldId(100);
  pk.name = "id";
  pk.type = DataType::kInt64;
  pk.primary_key = true;
  s.fields.push_back(pk);
  FieldSchema vec;
  vec.id = FieldId(101);
  vec.name = "vector";
  vec.type = DataType::kFloatVector;
  vec.dim = dim;
  s.fields.push_back(vec);
  return s;
}

// A segment of `schema` (pk field first, then the vector field) holding `vectors`.
inline segment::SegmentData MakeSegment(const CollectionSchema& schema, CollectionId collection,
                                        PartitionId partition, SegmentId segment_id,
                                        const std::vector<float>& vectors) {
  segment::SegmentData data;
  data.segment_id = segment_id;
  data.collection_id = collection;
  data.partition_id = partition;
  data.schema = schema;
  const FieldSchema& vec = schema.fields[1];
  const auto n = static_cast<int64_t>(vectors.size()) / vec.dim;
  segment::ColumnData pks(schema.fields[0]);
  segment::ColumnData column(vec);
  for (int64_t i = 0; i < n; ++i) {
    pks.AppendInt(segment_id.value() * 1'000'000 + i);
    column.AppendFloatVector(vectors.data() + i * vec.dim);
    data.timestamps.push_back(static_cast<Timestamp>(1000 + i));
  }
  data.columns.push_back(std::move(pks));
  data.columns.push_back(std::move(column));
  return data;
}

// Mean recall@k of `index` over `nq` queries against exact search of `base`.
inline double RecallAtK(const index::VectorIndex& index, const std::vector<float>& base,
                        const std::vector<float>& queries, int k, int ef = 64) {
  const int d = index.d();
  const int64_t nq = static_cast<int64_t>(queries.size()) / d;
  index::SearchResults got;
  index::SearchParams params;
  params.ef = ef;
  params.nprobe = 16;
  EXPECT_TRUE(index.Search(nq, queries.data(), k, params, nullptr, &got).ok());
  index::SearchResults want;
  index::BruteForceParams exact;
  exact.metric = index.metric();
  exact.k = k;
  index::FloatVectors fv{base.data(), static_cast<int64_t>(base.size()) / d, d, nullptr};
  EXPECT_TRUE(index::BruteForceSearch(fv, nq, queries.data(), exact, &want).ok());
  int64_t hits = 0;
  for (int64_t q = 0; q < nq; ++q) {
    for (int i = 0; i < k; ++i) {
      for (int j = 0; j < k; ++j) {
        if (got.rows_of(q)[i] == want.rows_of(q)[j] && got.rows_of(q)[i] >= 0) {
          ++hits;
          break;
        }
      }
    }
  }
  return static_cast<double>(hits) / static_cast<double>(nq * k);
}

}  // namespace vdb::data::test
