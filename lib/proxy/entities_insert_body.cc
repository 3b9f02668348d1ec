#include "proxy/entities_insert_body.h"

#include <cctype>
#include <charconv>
#include <string>

#include "proxy/request.h"

namespace vdb::proxy {

using nlohmann::json;

namespace {

// True when `s` holds only printable ASCII (no control characters, nothing to validate as UTF-8).
bool IsPlainAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

// The length of the JSON number (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?) at the
// start of `s`, or 0 when `s` does not start with one. from_chars alone would also take "01",
// "1.", "-inf" and "-nan".
size_t JsonNumberLength(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return 0;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return 0;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return 0;
  }
  return i;
}

// A cursor over JSON text that finds value boundaries; values it does not decode itself are
// validated by nlohmann when parsed.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  size_t pos() const { return pos_; }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool Consume(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }
  // A string token decoded (escapes via nlohmann when present).
  bool String(std::string* out) {
    if (!Peek('"')) return false;
    size_t start = pos_++;
    bool escaped = false;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') {
        escaped = true;
        ++pos_;
      }
      ++pos_;
    }
    if (pos_ >= text_.size()) return false;
    ++pos_;
    std::string_view raw = text_.substr(start + 1, pos_ - start - 2);
    if (!escaped && IsPlainAscii(raw)) {
      out->assign(raw);
      return true;
    }
    // Escapes, control characters (refused) and UTF-8 (validated): nlohmann's rules.
    json s = json::parse(text_.substr(start, pos_ - start), nullptr, false);
    if (!s.is_string()) return false;
    *out = s.get<std::string>();
    return true;
  }
  // Skips one value; returns its text.
  bool Value(std::string_view* out) {
    SkipSpace();
    size_t start = pos_;
    if (pos_ >= text_.size()) return false;
    char c = text_[pos_];
    if (c == '"') {
      std::string ignored;
      if (!String(&ignored)) return false;
    } else if (c == '{' || c == '[') {
      int depth = 0;
      while (pos_ < text_.size()) {
        char d = text_[pos_];
        if (d == '"') {
          std::string ignored;
          if (!String(&ignored)) return false;
          continue;
        }
        if (d == '{' || d == '[') ++depth;
        if (d == '}' || d == ']') --depth;
        ++pos_;
        if (depth == 0) break;
      }
      if (depth != 0) return false;
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
             text_[pos_] != ']' && !std::isspace(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
      if (pos_ == start) return false;
    }
    *out = text_.substr(start, pos_ - start);
    return true;
  }
  // A flat array of numbers into `out`; false (position unchanged) when it is anything else.
  bool NumberArray(std::vector<float>* out) {
    SkipSpace();
    size_t start = pos_;
    out->clear();
    if (!Consume('[')) return false;
    if (Consume(']')) return true;
    while (true) {
      SkipSpace();
      const char* first = text_.data() + pos_;
      const char* last = text_.data() + text_.size();
      const size_t length = JsonNumberLength(std::string_view(first, last - first));
      if (length == 0) break;
      float v = 0;
      auto [ptr, ec] = std::from_chars(first, first + length, v);
      if (ec != std::errc() || ptr != first + length) break;
      out->push_back(v);
      pos_ += length;
      if (Consume(',')) continue;
      if (Consume(']')) return true;
      break;
    }
    pos_ = start;
    return false;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Status Malformed(size_t at) { return BadJson("invalid JSON body at offset " + std::to_string(at)); }

}  // namespace

Result<InsertBodyText> SplitInsertBody(std::string_view text) {
  InsertBodyText out;
  if (text.empty()) return BadJson("request body is empty");
  // JSON text never holds a raw NUL, and nlohmann reads one as the end of its input, which would
  // let a value parsed on its own stop early.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) return Malformed(nul);
  Scanner sc(text);
  if (sc.Peek('n')) {
    std::string_view v;
    if (sc.Value(&v) && v == "null" && sc.AtEnd()) return out;
    return Malformed(sc.pos());
  }
  if (!sc.Consume('{')) return BadJson("body is not a JSON object");
  bool exact_data = false;
  if (!sc.Consume('}')) {
    do {
      std::string key;
      std::string_view value;
      if (!sc.String(&key) || !sc.Consume(':') || !sc.Value(&value)) return Malformed(sc.pos());
      bool is_data = key == "data" || (!exact_data && EqualsIgnoreCase(key, "data"));
      if (is_data) {
        if (key == "data") exact_data = true;
        // A data member replaced by a later one is never parsed: it must still be valid JSON.
        if (!out.data.empty() && !json::accept(out.data)) return Malformed(sc.pos());
        out.data = value == "null" ? std::string_view() : value;
        continue;
      }
      json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) return Malformed(sc.pos());
      out.rest[key] = std::move(parsed);
    } while (sc.Consume(','));
    if (!sc.Consume('}')) return Malformed(sc.pos());
  }
  if (!sc.AtEnd()) return Malformed(sc.pos());
  return out;
}

Result<size_t> CountRows(std::string_view data) {
  Scanner sc(data);
  if (!sc.Consume('[')) return BadJson("data must be an array of rows");
  size_t n = 0;
  if (sc.Consume(']')) return n;
  do {
    std::string_view v;
    if (!sc.Value(&v)) return Malformed(sc.pos());
    ++n;
  } while (sc.Consume(','));
  if (!sc.Consume(']')) return Malformed(sc.pos());
  return n;
}

Result<ParsedRows> ParseRowsText(const CollectionSchema& schema, std::string_view data,
                                 const std::vector<int64_t>& auto_ids) {
  Scanner sc(data);
  if (!sc.Peek('[')) return BadJson("data must be an array of rows");
  // Rows are ~dim * 8 bytes of text each; reserving for a rough count avoids regrowth.
  VDB_ASSIGN_OR_RETURN(size_t expected, CountRows(data));
  RowBuilder builder(schema, auto_ids, expected);
  sc.Consume('[');
  std::vector<float> vec;
  if (!sc.Consume(']')) {
    do {
      if (!sc.Consume('{')) {
        std::string_view v;
        if (!sc.Value(&v)) return Malformed(sc.pos());
        json row = json::parse(v, nullptr, false);
        if (row.is_discarded()) return Malformed(sc.pos());
        VDB_RETURN_IF_ERROR(builder.AddRow(row));  // not an object: AddRow reports the row
        continue;
      }
      json rest = json::object();
      if (!sc.Consume('}')) {
        do {
          std::string key;
          if (!sc.String(&key) || !sc.Consume(':')) return Malformed(sc.pos());
          int column = builder.FloatVectorColumn(key);
          if (column >= 0 && sc.NumberArray(&vec)) {
            VDB_RETURN_IF_ERROR(builder.AppendFloatVector(column, vec.data(), vec.size()));
            continue;
          }
          std::string_view value;
          if (!sc.Value(&value)) return Malformed(sc.pos());
          json parsed = json::parse(value, nullptr, false);
          if (parsed.is_discarded()) return Malformed(sc.pos());
          rest[key] = std::move(parsed);
        } while (sc.Consume(','));
        if (!sc.Consume('}')) return Malformed(sc.pos());
      }
      VDB_RETURN_IF_ERROR(builder.AddRow(rest));
    } while (sc.Consume(','));
    if (!sc.Consume(']')) return Malformed(sc.pos());
  }
  if (!sc.AtEnd()) return Malformed(sc.pos());
  return builder.Finish();
}

}  // namespace vdb::proxy
