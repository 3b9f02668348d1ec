// A fast reader for insert/upsert bodies (~1 MB of JSON per 1,000 rows of 128-d vectors): it
// walks the text once, decodes FloatVector values straight into their columns with
// std::from_chars and hands every other (small) value to nlohmann, so no DOM of the vectors is
// built. Accepts what JsonBody::Parse accepts (Milvus's rules) for the members it reads.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/schema.h"
#include "proxy/entities_rows.h"

namespace vdb::proxy {

// The body split in two: every top-level member except `data` parsed into an object, and the
// raw text of `data` (matched like JsonBody: exact key first, else case-insensitive).
struct InsertBodyText {
  nlohmann::json rest = nlohmann::json::object();
  std::string_view data;  // empty when absent or null
};

// 1801 for an empty body, malformed JSON or a body that is not an object; `null` is {}.
Result<InsertBodyText> SplitInsertBody(std::string_view text);

// The number of elements of the JSON array `data` (a byte scan); 1801 when it is not an array.
Result<size_t> CountRows(std::string_view data);

// Parses the rows of `data` (a JSON array of objects) like ParseRows.
Result<ParsedRows> ParseRowsText(const CollectionSchema& schema, std::string_view data,
                                 const std::vector<int64_t>& auto_ids);

}  // namespace vdb::proxy
