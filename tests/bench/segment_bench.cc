// Sealed-segment column throughput: writes and reads a 1M x 128 float32 vector column, a 1M-row
// int64 column and a 1M-row varchar column through the local object store, each beside a raw
// file write (write + fsync) and read of the same logical bytes measured in the same run, and
// prints the compression ratio of the scalar columns. Run on demand:
//   build/tests/bench/segment_bench [rows]     (files go under $TMPDIR or /tmp)
// Reads come from the page cache for both sides, so they compare decoding cost, not disk.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "common/env.h"
#include "segment/column_file.h"
#include "segment/segment_reader.h"
#include "storage/object_store.h"

namespace vdb::segment {
namespace {

struct Row {
  std::string name;
  double raw_write_mbs, raw_read_mbs, seg_write_mbs, seg_read_mbs, ratio;
};

double MBs(uint64_t bytes, uint64_t micros) {
  return micros == 0 ? 0 : static_cast<double>(bytes) / static_cast<double>(micros);
}

using bench::CheckOk;

Row Measure(Env* env, storage::ObjectStore* store, const std::string& dir, const std::string& name,
            const ColumnData& column) {
  // The logical bytes: values, plus offsets for variable-width columns (what a plain dump holds).
  std::string raw(column.values());
  if (column.is_variable()) {
    raw.append(reinterpret_cast<const char*>(column.offsets().data()),
               column.offsets().size() * sizeof(uint64_t));
  }
  uint64_t logical = raw.size();
  Row row{name, 0, 0, 0, 0, 0};

  std::string raw_path = dir + "/" + name + ".raw";
  uint64_t t0 = env->MonotonicMicros();
  {
    auto f = env->NewWritableFile(raw_path);
    CheckOk(f.status());
    CheckOk((*f)->Append(raw));
    CheckOk((*f)->Sync());
    CheckOk((*f)->Close());
  }
  uint64_t t1 = env->MonotonicMicros();
  auto back = ReadFileToString(env, raw_path);
  CheckOk(back.status());
  uint64_t t2 = env->MonotonicMicros();
  row.raw_write_mbs = MBs(logical, t1 - t0);
  row.raw_read_mbs = MBs(logical, t2 - t1);

  FieldId id(100);
  std::string key = "bench/" + name + ".col";
  uint64_t t3 = env->MonotonicMicros();
  std::string file = EncodeColumnFile(id, column, {});
  CheckOk(store->Put(key, file));
  uint64_t t4 = env->MonotonicMicros();
  ColumnFileSpec spec{id,           column.type(),     column.element_type(),
                      column.dim(), column.nullable(), column.size(),
                      file.size()};
  uint64_t checksum = 0;
  uint64_t t5 = 0;
  if (IsDenseVector(column.type())) {
    // What a query node does: map the file and check its block CRCs.
    auto reader = ColumnFileReader::Open(store, key, spec);
    CheckOk(reader.status());
    auto mapping = store->Map(key);
    CheckOk(mapping.status());
    auto bytes = (*reader)->VectorBytes((*mapping)->data());
    CheckOk(bytes.status());
    checksum = bytes->size();
  } else {
    auto reader = ColumnFileReader::Open(store, key, spec);
    CheckOk(reader.status());
    auto data = (*reader)->ReadRows(0, column.size());
    CheckOk(data.status());
    checksum = data->size();
    t5 = env->MonotonicMicros();
    if (!(*data == column)) CheckOk(Status::Internal(name + ": read back differs"));
  }
  if (t5 == 0) t5 = env->MonotonicMicros();
  (void)checksum;
  row.seg_write_mbs = MBs(logical, t4 - t3);
  row.seg_read_mbs = MBs(logical, t5 - t4);
  row.ratio = static_cast<double>(logical) / static_cast<double>(file.size());
  return row;
}

int Main(int argc, char** argv) {
  bench::SetProgramName("segment_bench");
  size_t rows = 1000000;
  CLI::App app{"segment_bench: sealed-segment column write and read throughput"};
  app.option_defaults()->always_capture_default();
  app.add_option("rows", rows, "rows per column");
  bench::ParseFlagsOrExit(&app, argc, argv);
  Env* env = Env::Default();
  const char* tmp = std::getenv("TMPDIR");
  std::string dir =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/vdb-segment-bench-" + std::to_string(::getpid());
  CheckOk(env->CreateDirs(dir));
  auto store = storage::OpenLocalObjectStore(env, dir + "/objects");
  CheckOk(store.status());

  std::mt19937_64 rng(20261130);
  ColumnData vectors(DataType::kFloatVector, 128);
  vectors.Reserve(rows, rows * 512);
  std::vector<float> v(128);
  for (size_t r = 0; r < rows; ++r) {
    for (auto& x : v) x = static_cast<float>(rng() % 2000001) / 1000000.0f - 1.0f;
    vectors.AppendFloatVector(v.data());
  }
  // Primary keys as an id allocator hands them out: increasing, with small gaps.
  ColumnData ids(DataType::kInt64);
  int64_t id = 449'000'000'000'000'000;
  for (size_t r = 0; r < rows; ++r) ids.AppendInt(id += 1 + static_cast<int64_t>(rng() % 3));
  // Short words from a 2000-word vocabulary, picked with a skew towards common words.
  std::vector<std::string> vocab;
  const char* letters = "etaoinshrdlucmfwypvbgkjqxz";
  for (int w = 0; w < 2000; ++w) {
    std::string word;
    size_t len = 3 + rng() % 8;
    for (size_t i = 0; i < len; ++i) word += letters[std::min<size_t>(rng() % 26, rng() % 26)];
    vocab.push_back(word);
  }
  ColumnData words(DataType::kVarChar);
  for (size_t r = 0; r < rows; ++r) {
    size_t pick = std::min<size_t>(rng() % vocab.size(), rng() % vocab.size());
    words.AppendString(vocab[pick]);
  }

  std::vector<Row> table = {
      Measure(env, store->get(), dir, "float_vector_128", vectors),
      Measure(env, store->get(), dir, "int64_ids", ids),
      Measure(env, store->get(), dir, "varchar_words", words),
  };
  std::printf("segment_bench: %zu rows, MB/s of logical column bytes (same run, same disk)\n",
              rows);
  std::printf("%-18s %12s %12s %12s %12s %10s\n", "column", "raw write", "seg write", "raw read",
              "seg read", "ratio");
  for (const Row& r : table) {
    std::printf("%-18s %12.0f %12.0f %12.0f %12.0f %9.2fx\n", r.name.c_str(), r.raw_write_mbs,
                r.seg_write_mbs, r.raw_read_mbs, r.seg_read_mbs, r.ratio);
  }
  CheckOk(RemoveAll(env, dir));
  return 0;
}

}  // namespace
}  // namespace vdb::segment

int main(int argc, char** argv) { return vdb::segment::Main(argc, argv); }
