// VectorIndex: specs, FLAT exactness, serialization round trips and corrupt input.

#include "index/vector_index.h"

#include <gtest/gtest.h>

#include "common/coding.h"
#include "common/crc32c.h"
#include "index/faiss_index.h"
#include "index/format.h"
#include "index/test_data.h"

namespace vdb::index {
namespace {

std::unique_ptr<VectorIndex> Make(const std::string& spec, Metric metric, int d, int64_t n,
                                  const std::vector<float>& x) {
  IndexOptions options;
  options.spec = spec;
  options.metric = metric;
  options.d = d;
  options.ef_construction = 40;
  auto index = VectorIndex::Create(options);
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_TRUE((*index)->Build(n, x.data()).ok());
  return std::move(index).value();
}

SearchResults SearchAll(const VectorIndex& index, const std::vector<float>& q, int64_t nq, int k) {
  SearchResults out;
  EXPECT_TRUE(index.Search(nq, q.data(), k, SearchParams{}, nullptr, &out).ok());
  return out;
}

// Replaces the trailing CRC so a deliberately damaged body reaches the structural checks.
void Reseal(std::string* bytes) {
  uint32_t crc = crc32c::Mask(crc32c::Value(bytes->data(), bytes->size() - 4));
  EncodeFixed32(bytes->data() + bytes->size() - 4, crc);
}

TEST(IndexSpecTest, ParsesNativeAndFaissSpecs) {
  auto hnsw = ParseIndexSpec("HNSW32");
  ASSERT_TRUE(hnsw.ok());
  EXPECT_EQ(hnsw->type, IndexType::kHnsw);
  EXPECT_EQ(hnsw->m, 32);
  EXPECT_EQ(ParseIndexSpec("HNSW16,Flat")->m, 16);
  EXPECT_EQ(ParseIndexSpec("FLAT")->type, IndexType::kFlat);
  EXPECT_EQ(ParseIndexSpec("IVF64,Flat")->type, IndexType::kFaiss);
  EXPECT_FALSE(ParseIndexSpec("HNSW1").ok());
  EXPECT_FALSE(ParseIndexSpec("HNSWx").ok());
  EXPECT_FALSE(ParseIndexSpec("").ok());
  EXPECT_EQ(ParseMetric("cosine").value(), Metric::kCosine);
  EXPECT_FALSE(ParseMetric("L1").ok());
}

TEST(VectorIndexTest, CreateRejectsBadOptions) {
  IndexOptions options;
  options.d = 0;
  EXPECT_EQ(VectorIndex::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.d = 8;
  options.metric = Metric::kHamming;
  EXPECT_EQ(VectorIndex::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.metric = Metric::kL2;
  options.spec = "NOT_AN_INDEX";
  EXPECT_EQ(VectorIndex::Create(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(VectorIndexTest, FlatIsExact) {
  const uint64_t seed = 77;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int d = 19, k = 5;
  std::vector<float> x = test::RandomVectors(700, d, seed), q = test::RandomVectors(9, d, seed + 1);
  for (Metric metric : {Metric::kL2, Metric::kInnerProduct, Metric::kCosine}) {
    auto index = Make("FLAT", metric, d, 700, x);
    SearchResults got = SearchAll(*index, q, 9, k);
    for (int64_t qi = 0; qi < 9; ++qi) {
      auto want = test::NaiveTopK(x.data(), 700, d, q.data() + qi * d, k, metric,
                                  [](int64_t) { return true; });
      EXPECT_EQ(std::vector<int64_t>(got.rows_of(qi), got.rows_of(qi) + k), want)
          << MetricName(metric) << " query " << qi;
    }
  }
}

TEST(VectorIndexTest, SerializeLoadRoundTripGivesIdenticalResults) {
  const int d = 24;
  std::vector<float> x = test::EmbeddingLikeVectors(1500, d, 3);
  std::vector<float> q = test::EmbeddingLikeVectors(30, d, 4);
  for (const char* spec : {"FLAT", "HNSW12", "IVF16,Flat"}) {
    for (Metric metric : {Metric::kL2, Metric::kCosine}) {
      SCOPED_TRACE(std::string(spec) + " " + std::string(MetricName(metric)));
      auto index = Make(spec, metric, d, 1500, x);
      auto bytes = index->Serialize();
      ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
      auto loaded = VectorIndex::Load(*bytes);
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
      EXPECT_EQ((*loaded)->spec().text, spec);
      EXPECT_EQ((*loaded)->metric(), metric);
      EXPECT_EQ((*loaded)->d(), d);
      EXPECT_EQ((*loaded)->size(), 1500);
      SearchResults a = SearchAll(*index, q, 30, 10), b = SearchAll(**loaded, q, 30, 10);
      EXPECT_EQ(a.rows, b.rows);
      EXPECT_EQ(a.distances, b.distances);
      // A loaded index keeps accepting vectors.
      ASSERT_TRUE((*loaded)->Add(1, q.data()).ok());
      EXPECT_EQ((*loaded)->size(), 1501);
      EXPECT_EQ((*(*loaded)->Serialize()).size() > bytes->size(), true);
    }
  }
}

TEST(VectorIndexTest, EmptyIndexRoundTrips) {
  for (const char* spec : {"FLAT", "HNSW16"}) {
    IndexOptions options;
    options.spec = spec;
    options.d = 3;
    auto index = VectorIndex::Create(options);
    ASSERT_TRUE(index.ok());
    auto loaded = VectorIndex::Load(*(*index)->Serialize());
    ASSERT_TRUE(loaded.ok()) << spec << ": " << loaded.status().ToString();
    EXPECT_EQ((*loaded)->size(), 0);
  }
}

TEST(VectorIndexTest, TruncatedOrFlippedBytesAreCorruption) {
  std::vector<float> x = test::EmbeddingLikeVectors(40, 4, 8);
  for (const char* spec : {"FLAT", "HNSW4"}) {
    SCOPED_TRACE(spec);
    std::string bytes = *Make(spec, Metric::kL2, 4, 40, x)->Serialize();
    for (size_t len = 0; len < bytes.size(); ++len) {
      EXPECT_EQ(VectorIndex::Load(bytes.substr(0, len)).status().code(), StatusCode::kCorruption)
          << "truncated to " << len;
    }
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::string bad = bytes;
      bad[i] ^= 0x20;
      EXPECT_EQ(VectorIndex::Load(bad).status().code(), StatusCode::kCorruption) << "flip " << i;
    }
  }
}

TEST(VectorIndexTest, DamagedButResealedBytesNeverCrash) {
  // With the checksum fixed up, only the structural checks stand between bad bytes and the
  // graph code: every outcome must be kCorruption or an index that searches safely.
  std::vector<float> x = test::EmbeddingLikeVectors(40, 4, 8);
  std::string bytes = *Make("HNSW4", Metric::kL2, 4, 40, x)->Serialize();
  int rejected = 0;
  for (size_t i = 0; i + 4 < bytes.size(); ++i) {
    for (uint8_t value : {uint8_t{0xff}, uint8_t{0x7f}, uint8_t{0x01}}) {
      std::string bad = bytes;
      if (static_cast<uint8_t>(bad[i]) == value) continue;
      bad[i] = static_cast<char>(value);
      Reseal(&bad);
      auto loaded = VectorIndex::Load(bad);
      if (!loaded.ok()) {
        EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption) << "byte " << i;
        ++rejected;
        continue;
      }
      SearchResults out;
      EXPECT_TRUE((*loaded)->Search(2, x.data(), 5, SearchParams{}, nullptr, &out).ok());
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(VectorIndexTest, OtherFormatVersionIsCorruption) {
  std::vector<float> x = test::RandomVectors(10, 4, 1);
  std::string bytes = *Make("FLAT", Metric::kL2, 4, 10, x)->Serialize();
  EncodeFixed32(bytes.data() + format::kMagic.size(), format::kFormatVersion + 1);
  Reseal(&bytes);
  auto loaded = VectorIndex::Load(bytes);
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(loaded.status().message().find("version"), std::string::npos);
}

TEST(FaissIndexTest, FaissFlatMatchesOurFlat) {
  const int d = 16;
  std::vector<float> x = test::RandomVectors(1000, d, 5), q = test::RandomVectors(5, d, 6);
  IndexOptions options;
  options.spec = "Flat";
  options.d = d;
  auto faiss = CreateFaissIndex(options);
  ASSERT_TRUE(faiss.ok()) << faiss.status().ToString();
  ASSERT_TRUE((*faiss)->Add(1000, x.data()).ok());
  auto ours = Make("FLAT", Metric::kL2, d, 1000, x);
  EXPECT_EQ(SearchAll(**faiss, q, 5, 10).rows, SearchAll(*ours, q, 5, 10).rows);
}

}  // namespace
}  // namespace vdb::index
