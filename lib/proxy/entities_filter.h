// The filter forms the entity routes understand until the general filter language (lib/expr) is
// wired in: an empty filter, `<pk> in [v, ...]` and `<pk> == v`, which is what the REST layer
// generates for get/delete by id. Kept apart so the whole file can be replaced by the real
// planner. Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/schema.h"

namespace vdb::proxy {

struct PkFilter {
  bool match_all = false;       // the filter was empty or whitespace
  std::vector<PrimaryKey> pks;  // otherwise: the keys it names, duplicates removed, in order
};

// Parses `filter` against the primary key field `pk`. Integer keys are decimal literals with an
// optional sign; VarChar keys are "..." or '...' literals with backslash escapes. Anything else
// (another field, another operator, a literal of the wrong type) is 1100 "failed to create query
// plan: ..." saying that general filters are not supported yet.
Result<PkFilter> ParsePkFilter(std::string_view filter, const FieldSchema& pk);

}  // namespace vdb::proxy
