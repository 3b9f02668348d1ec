// Fuzzes the catalog JSON decoders (rpc/catalog.h), which read what the coordinator stored in
// the meta store and what nodes receive from it: the input's first byte picks the decoder, the
// rest is the JSON text. Bad text must be kInvalidArgument naming the record ("catalog.",
// "index job.", ...), never a crash or an escaping exception. A record that decodes must encode
// to text that decodes to an equal value and encodes to the same text again. Seeds in
// corpus/catalog_record/ are encoded records of every kind.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "rpc/catalog.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& why, std::string_view input) {
  std::string shown;
  for (unsigned char c : input) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), c >= 0x20 && c < 0x7f && c != '\\' ? "%c" : "\\x%02x", c);
    shown += buf;
  }
  std::fprintf(stderr, "catalog_record: %s: %s\ninput: %s\n", what, why.c_str(), shown.c_str());
  std::abort();
}

// Decodes `text` with `decode`. An error must be kInvalidArgument whose message starts with
// `what` (the decoder's name for the record). On success, Encode -> Decode must give an equal
// value, and encoding that again the same text.
template <typename Decode, typename Encode>
void RoundTrip(std::string_view text, Decode decode, Encode encode, const char* what) {
  auto m = decode(text);
  if (!m.ok()) {
    const vdb::Status& s = m.status();
    if (s.code() != vdb::StatusCode::kInvalidArgument) Fail(what, "not kInvalidArgument", text);
    if (s.message().rfind(what, 0) != 0) Fail(what, "error does not name it: " + s.message(), text);
    return;
  }
  std::string once = encode(*m);
  auto again = decode(once);
  if (!again.ok()) Fail(what, "encoded record does not decode: " + again.status().ToString(), text);
  if (!(*again == *m)) Fail(what, "decoded record differs after a round trip", text);
  if (encode(*again) != once) Fail(what, "encoding is not stable", text);
}

void Dispatch(uint8_t selector, std::string_view text) {
  using namespace vdb::rpc;
  switch (selector % 8) {
    case 0:
      RoundTrip(text, DecodeCatalog, EncodeCatalog, "catalog");
      break;
    case 1:
      RoundTrip(text, DecodeSchema, EncodeSchema, "schema");
      break;
    case 2:
      RoundTrip(text, DecodeDatabase, EncodeDatabase, "database");
      break;
    case 3:
      RoundTrip(text, DecodeCollection, EncodeCollection, "collection");
      break;
    case 4:
      RoundTrip(text, DecodeIndex, EncodeIndex, "index");
      break;
    case 5:
      RoundTrip(text, DecodeChannel, EncodeChannel, "channel");
      break;
    case 6:
      RoundTrip(text, DecodeSegment, EncodeSegment, "segment");
      break;
    default:
      RoundTrip(text, DecodeIndexJob, EncodeIndexJob, "index job");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    Dispatch(data[0], text);
  } catch (const std::exception& e) {
    Fail("exception escaped", e.what(), text);
  }
  return 0;
}
