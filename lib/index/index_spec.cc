#include "index/index_spec.h"

namespace vdb::index {

Result<IndexSpec> ParseIndexSpec(std::string_view spec) {
  IndexSpec out;
  out.text = std::string(spec);
  if (spec.empty()) return Status::InvalidArgument("index spec is empty");
  if (spec == "FLAT" || spec == "Flat") {
    out.type = IndexType::kFlat;
    return out;
  }
  if (spec.substr(0, 4) != "HNSW") {
    out.type = IndexType::kFaiss;
    return out;
  }
  std::string_view rest = spec.substr(4);
  if (rest.size() >= 5 && rest.substr(rest.size() - 5) == ",Flat") {
    rest.remove_suffix(5);
  }
  int m = 32;
  if (!rest.empty()) {
    if (rest.size() > 3) return Status::InvalidArgument("index spec \"" + out.text + "\": bad M");
    m = 0;
    for (char c : rest) {
      if (c < '0' || c > '9') {
        return Status::InvalidArgument("index spec \"" + out.text + "\": want HNSW<M>[,Flat]");
      }
      m = m * 10 + (c - '0');
    }
  }
  if (m < 2 || m > 256) {
    return Status::InvalidArgument("index spec \"" + out.text + "\": M must be in [2, 256]");
  }
  out.type = IndexType::kHnsw;
  out.m = m;
  return out;
}

}  // namespace vdb::index
