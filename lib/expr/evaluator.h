// Evaluates a bound Plan over columns of rows, column at a time, into a row bitmap. The column
// memory is borrowed from the caller through ColumnSource (plain views, so a segment can hand
// out its buffers without copying). Evaluate is thread-safe for concurrent calls on shared
// plans and sources as long as the sources are not modified meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"
#include "common/status.h"
#include "expr/plan.h"

namespace vdb::expr {

// One column of `rows` values, laid out like segment::ColumnData (see segment/column_data.h):
//   fixed-width types (Bool as one byte, Int8..Int64, Float, Double): `values`, contiguous,
//     little-endian, rows * ElementWidth(type) bytes;
//   VarChar and JSON (JSON text): `offsets` (rows + 1 entries, offsets[0] == 0, non-decreasing)
//     into `bytes`;
//   Array: `offsets` + `bytes` as well; a row is its elements back to back, raw little-endian
//     values of `element_type`, or varint-length-prefixed strings for VarChar elements.
//   `validity`: bit i (LSB first) set when row i holds a value; nullptr when every row does.
// Null rows still occupy their slot.
struct ColumnView {
  DataType type = DataType::kNone;
  DataType element_type = DataType::kNone;
  const void* values = nullptr;
  const uint64_t* offsets = nullptr;
  const char* bytes = nullptr;
  const uint8_t* validity = nullptr;
  size_t rows = 0;
};

// Hands out the columns a plan reads (Plan::fields()). Views must stay valid for the duration
// of the Evaluate call.
class ColumnSource {
 public:
  virtual ~ColumnSource() = default;
  // kNotFound when the source has no such column.
  virtual Result<ColumnView> Column(FieldId field) const = 0;
};

// A ColumnSource over views held in a map; handy for tests and small adapters.
class ColumnViewMap : public ColumnSource {
 public:
  void Add(FieldId field, const ColumnView& view) { views_[field.value()] = view; }
  Result<ColumnView> Column(FieldId field) const override;

 private:
  std::map<int64_t, ColumnView> views_;
};

// Sets bit r (word r / 64, bit r % 64) of `bitmap` for every row r < rows that matches `plan`
// and clears the others; the bitmap is resized to (rows + 63) / 64 words.
// Semantics (SQL-like three-valued logic): a null field, a missing JSON key, a JSON null or JSON
// text that does not parse is unknown; comparisons, `in` and `like` on unknown are unknown, `not`
// keeps it unknown, `and`/`or` follow SQL, and only true rows are set. `is null` is true for it,
// `exists` false. A JSON value of the wrong type (a string compared with a number) is false.
// Errors: kNotFound for a missing column, kInvalidArgument when a view's type or row count does
// not fit the plan. REQUIRES: each view's offsets[rows] is within its bytes.
struct EvalOptions {
  // Rows evaluated together (rounded up to a multiple of 64): bounds the memory of intermediate
  // results while keeping the per-node loops long.
  size_t batch_rows = 4096;
};
Status Evaluate(const Plan& plan, const ColumnSource& columns, size_t rows,
                std::vector<uint64_t>* bitmap, const EvalOptions& options = {});

}  // namespace vdb::expr
