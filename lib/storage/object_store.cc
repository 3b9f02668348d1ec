// Key validation shared by every ObjectStore implementation.
#include "storage/object_store.h"

#include <cstdio>

namespace vdb::storage {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

// The key as it appears in messages: quoted, with control bytes escaped so a log line stays one
// line, and cut short when huge.
std::string QuoteKey(std::string_view key) {
  std::string out = "\"";
  size_t shown = 0;
  for (char c : key) {
    if (++shown > 128) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

Status Bad(std::string_view key, std::string_view why) {
  return Status::InvalidArgument("invalid object key " + QuoteKey(key) + ": " + std::string(why));
}

}  // namespace

Status ValidateKey(std::string_view key) {
  if (key.empty()) return Bad(key, "empty");
  if (key.size() > kMaxKeyBytes) {
    return Bad(key,
               std::to_string(key.size()) + " bytes, more than " + std::to_string(kMaxKeyBytes));
  }
  if (key.front() == '/') return Bad(key, "starts with '/'");
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return Bad(key, "control character");
  }
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment.empty()) return Bad(key, "empty path segment");
    if (segment == "." || segment == "..") return Bad(key, "'.' or '..' segment");
    if (segment.starts_with(".tmp.")) return Bad(key, "'.tmp.' names are reserved");
    start = end + 1;
  }
  return Status::OK();
}

}  // namespace vdb::storage
