#include "data/index_build.h"

#include <gtest/gtest.h>

#include <atomic>

#include "datanode/datanode_test_util.h"
#include "segment/segment_writer.h"
#include "storage/object_store.h"

namespace vdb::data {
namespace {

using test::MakeSegment;
using test::RandomVectors;
using test::RecallAtK;
using test::TwoFieldSchema;

rpc::IndexJob Job(const std::string& type, rpc::StringMap params = {}, int64_t dim = 8,
                  const std::string& metric = "L2") {
  rpc::IndexJob job;
  job.job_id = 7;
  job.collection_id = CollectionId(3);
  job.segment_id = SegmentId(42);
  job.object_prefix = "3/4/42/";
  job.index_name = "vector";
  job.field_id = FieldId(101);
  job.field_type = DataType::kFloatVector;
  job.dim = dim;
  job.index_type = type;
  job.metric_type = metric;
  job.params = std::move(params);
  return job;
}

std::string SpecOf(const rpc::IndexJob& job, int64_t rows = 100000) {
  auto options = ResolveIndexOptions(job, rows);
  if (!options.ok()) return "error: " + options.status().ToString();
  return options->spec;
}

TEST(ResolveIndexOptionsTest, UsesMilvusNamesAndDefaults) {
  auto hnsw = ResolveIndexOptions(Job("HNSW"), 1000);
  ASSERT_TRUE(hnsw.ok()) << hnsw.status().ToString();
  EXPECT_EQ(hnsw->spec, "HNSW30");
  EXPECT_EQ(hnsw->ef_construction, 360);
  EXPECT_EQ(hnsw->d, 8);
  EXPECT_EQ(hnsw->metric, index::Metric::kL2);

  auto tuned =
      ResolveIndexOptions(Job("hnsw", {{"M", "16"}, {"efConstruction", "100"}}, 8, "ip"), 1000);
  ASSERT_TRUE(tuned.ok()) << tuned.status().ToString();
  EXPECT_EQ(tuned->spec, "HNSW16");
  EXPECT_EQ(tuned->ef_construction, 100);
  EXPECT_EQ(tuned->metric, index::Metric::kInnerProduct);

  auto autoindex = ResolveIndexOptions(Job("AUTOINDEX", {{"M", "64"}}, 8, "COSINE"), 1000);
  ASSERT_TRUE(autoindex.ok()) << autoindex.status().ToString();
  EXPECT_EQ(autoindex->spec, "HNSW18");
  EXPECT_EQ(autoindex->ef_construction, 240);
  EXPECT_EQ(autoindex->metric, index::Metric::kCosine);

  EXPECT_EQ(SpecOf(Job("FLAT")), "FLAT");
  EXPECT_EQ(SpecOf(Job("DISKANN")), "HNSW30");
  EXPECT_EQ(SpecOf(Job("IVF_FLAT")), "IVF128,Flat");
  EXPECT_EQ(SpecOf(Job("SCANN", {{"nlist", "256"}})), "IVF256,Flat");
  EXPECT_EQ(SpecOf(Job("IVF_SQ8", {{"nlist", "1024"}})), "IVF1024,SQ8");
  EXPECT_EQ(SpecOf(Job("IVF_PQ", {{"nlist", "64"}, {"m", "4"}})), "IVF64,PQ4x8");
  EXPECT_EQ(SpecOf(Job("IVF_PQ", {{"m", "2"}, {"nbits", "4"}})), "IVF128,PQ2x4");
}

TEST(ResolveIndexOptionsTest, SmallSegmentsCapNlistOrFallBackToFlat) {
  EXPECT_EQ(SpecOf(Job("IVF_FLAT", {{"nlist", "1024"}}), 300), "IVF300,Flat");
  EXPECT_EQ(SpecOf(Job("IVF_FLAT"), 0), "FLAT");
  EXPECT_EQ(SpecOf(Job("IVF_PQ", {{"m", "4"}}), 255), "FLAT");
  EXPECT_EQ(SpecOf(Job("IVF_PQ", {{"m", "4"}}), 256), "IVF128,PQ4x8");
  EXPECT_EQ(SpecOf(Job("HNSW"), 0), "HNSW30");
}

TEST(ResolveIndexOptionsTest, RejectsWhatItCannotBuild) {
  auto code = [](const rpc::IndexJob& job) {
    return ResolveIndexOptions(job, 1000).status().code();
  };
  EXPECT_EQ(code(Job("HNSW", {{"M", "abc"}})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("HNSW", {{"M", "16x"}})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("HNSW", {{"M", "1"}})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("HNSW", {{"M", "300"}})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("HNSW", {{"efConstruction", "0"}})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("IVF_FLAT", {{"nlist", "70000"}})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("IVF_PQ")), StatusCode::kInvalidArgument);                // m required
  EXPECT_EQ(code(Job("IVF_PQ", {{"m", "3"}})), StatusCode::kInvalidArgument);  // 3 !| 8
  EXPECT_EQ(code(Job("IVF_PQ", {{"m", "4"}, {"nbits", "17"}})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("HNSW", {}, 8, "HAMMING")), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("HNSW", {}, 8, "")), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("HNSW", {}, 0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Job("NO_SUCH_INDEX")), StatusCode::kNotSupported);
  rpc::IndexJob binary = Job("BIN_FLAT", {}, 64, "HAMMING");
  binary.field_type = DataType::kBinaryVector;
  EXPECT_EQ(code(binary), StatusCode::kNotSupported);
  auto bad = ResolveIndexOptions(Job("HNSW", {{"M", "abc"}}), 1000);
  EXPECT_NE(bad.status().message().find("M=\"abc\""), std::string::npos) << bad.status().ToString();
}

TEST(IndexObjectKeyTest, NamesCollectionSegmentIndexJobAndNode) {
  EXPECT_EQ(IndexObjectKey(Job("HNSW"), NodeId(5)), "index/3/42/vector/7-5.idx");
  EXPECT_TRUE(storage::ValidateKey(IndexObjectKey(Job("HNSW"), NodeId(5))).ok());
}

class BuildSegmentIndexTest : public ::testing::Test {
 protected:
  static constexpr int64_t kDim = 16;
  static constexpr uint64_t kSeed = 20261130;

  void SetUp() override {
    store_ = storage::NewMemoryObjectStore();
    base_ = RandomVectors(1000, kDim, kSeed);
    auto data = MakeSegment(TwoFieldSchema("c", kDim), CollectionId(3), PartitionId(4),
                            SegmentId(42), base_);
    segment::SegmentWriter writer(store_.get());
    auto manifest = writer.Write("3/4/42/", data);
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  }

  std::unique_ptr<index::VectorIndex> BuildAndLoad(const rpc::IndexJob& job) {
    auto built = BuildSegmentIndex(store_.get(), job, BuildOptions{});
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    if (!built.ok()) return nullptr;
    EXPECT_EQ(built->rows, 1000);
    auto loaded = index::VectorIndex::Load(built->bytes);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    if (!loaded.ok()) return nullptr;
    EXPECT_EQ((*loaded)->spec().text, built->spec);
    EXPECT_EQ((*loaded)->size(), 1000);
    return std::move(*loaded);
  }

  std::unique_ptr<storage::ObjectStore> store_;
  std::vector<float> base_;
};

TEST_F(BuildSegmentIndexTest, HnswOverTheSegmentHasHighRecall) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  auto index = BuildAndLoad(Job("HNSW", {{"M", "16"}, {"efConstruction", "100"}}, kDim));
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->spec().text, "HNSW16");
  EXPECT_GE(RecallAtK(*index, base_, RandomVectors(50, kDim, kSeed + 1), 10), 0.9);
}

TEST_F(BuildSegmentIndexTest, IvfFlatAndCosineAutoIndexBuild) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  auto ivf = BuildAndLoad(Job("IVF_FLAT", {{"nlist", "32"}}, kDim));
  ASSERT_NE(ivf, nullptr);
  EXPECT_EQ(ivf->spec().text, "IVF32,Flat");
  EXPECT_GE(RecallAtK(*ivf, base_, RandomVectors(50, kDim, kSeed + 2), 10), 0.9);
  auto autoindex = BuildAndLoad(Job("AUTOINDEX", {}, kDim, "COSINE"));
  ASSERT_NE(autoindex, nullptr);
  EXPECT_EQ(autoindex->metric(), index::Metric::kCosine);
  EXPECT_GE(RecallAtK(*autoindex, base_, RandomVectors(50, kDim, kSeed + 3), 10), 0.9);
}

TEST_F(BuildSegmentIndexTest, MissingSegmentIsNotFound) {
  rpc::IndexJob job = Job("HNSW", {}, kDim);
  job.object_prefix = "3/4/43/";
  EXPECT_EQ(BuildSegmentIndex(store_.get(), job, {}).status().code(), StatusCode::kNotFound);
}

TEST_F(BuildSegmentIndexTest, DamagedVectorColumnIsCorruption) {
  auto files = store_->List("3/4/42/");
  ASSERT_TRUE(files.ok());
  int damaged = 0;
  for (const auto& file : *files) {
    if (file.key.find("manifest") != std::string::npos) continue;
    auto bytes = store_->Get(file.key);
    ASSERT_TRUE(bytes.ok());
    (*bytes)[bytes->size() / 2] ^= 0x5a;
    ASSERT_TRUE(store_->Put(file.key, *bytes).ok());
    ++damaged;
  }
  ASSERT_GT(damaged, 0);
  auto built = BuildSegmentIndex(store_.get(), Job("HNSW", {}, kDim), {});
  EXPECT_EQ(built.status().code(), StatusCode::kCorruption) << built.status().ToString();
}

TEST_F(BuildSegmentIndexTest, JobDisagreeingWithTheColumnIsCorruption) {
  auto built = BuildSegmentIndex(store_.get(), Job("HNSW", {}, kDim * 2), {});
  EXPECT_EQ(built.status().code(), StatusCode::kCorruption) << built.status().ToString();
}

TEST_F(BuildSegmentIndexTest, CancelledBuildIsAborted) {
  std::atomic<bool> cancel{true};
  BuildOptions options;
  options.cancel = &cancel;
  options.batch_rows = 100;
  auto built = BuildSegmentIndex(store_.get(), Job("HNSW", {}, kDim), options);
  EXPECT_EQ(built.status().code(), StatusCode::kAborted) << built.status().ToString();
}

TEST(BuildSegmentIndexEmptyTest, EmptySegmentGivesAnEmptyLoadableIndex) {
  auto store = storage::NewMemoryObjectStore();
  auto data =
      MakeSegment(TwoFieldSchema("c", 8), CollectionId(3), PartitionId(4), SegmentId(42), {});
  ASSERT_TRUE(segment::SegmentWriter(store.get()).Write("3/4/42/", data).ok());
  for (const char* type : {"HNSW", "IVF_PQ", "FLAT"}) {
    SCOPED_TRACE(type);
    auto built = BuildSegmentIndex(store.get(), Job(type, {{"m", "4"}}), {});
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    EXPECT_EQ(built->rows, 0);
    auto loaded = index::VectorIndex::Load(built->bytes);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ((*loaded)->size(), 0);
  }
}

}  // namespace
}  // namespace vdb::data
