#include "proxy/entities_filter.h"

#include <cctype>
#include <charconv>
#include <set>
#include <string>

#include "proxy/request.h"
#include "rpc/catalog.h"

namespace vdb::proxy {

namespace {

Status PlanError(std::string_view filter, std::string_view why) {
  return rpc::WithMilvusCode(
      kMilvusInvalidParameter,
      Status::InvalidArgument("failed to create query plan: cannot parse expression: " +
                              std::string(filter) + ", error: " + std::string(why) +
                              " (only `<primary key> in [...]` and `<primary key> == value` are "
                              "supported until general filters arrive)"));
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  bool Consume(std::string_view token) {
    SkipSpace();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  std::string_view Identifier() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '_' || text_[pos_] == '$')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }
  // A literal of the key's type, or an error message.
  bool Literal(DataType type, PrimaryKey* out, std::string* error) {
    SkipSpace();
    if (pos_ >= text_.size()) {
      *error = "expected a value";
      return false;
    }
    if (type == DataType::kInt64) {
      size_t start = pos_;
      if (text_[pos_] == '-' || text_[pos_] == '+') ++pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      std::string_view digits = text_.substr(start, pos_ - start);
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
        *error = "expected an integer primary key value";
        return false;
      }
      *out = v;
      return true;
    }
    char quote = text_[pos_];
    if (quote != '"' && quote != '\'') {
      *error = "expected a quoted string primary key value";
      return false;
    }
    std::string s;
    for (++pos_; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        *out = std::move(s);
        return true;
      }
      if (c == '\\' && pos_ + 1 < text_.size()) c = text_[++pos_];
      s.push_back(c);
    }
    *error = "unterminated string";
    return false;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<PkFilter> ParsePkFilter(std::string_view filter, const FieldSchema& pk) {
  PkFilter out;
  Cursor cur(filter);
  if (cur.AtEnd()) {
    out.match_all = true;
    return out;
  }
  std::string_view name = cur.Identifier();
  if (name != pk.name) {
    return PlanError(filter, name.empty() ? "expected the primary key field"
                                          : "filter on `" + std::string(name) + "`");
  }
  std::string error;
  std::vector<PrimaryKey> keys;
  if (cur.Consume("==")) {
    PrimaryKey key;
    if (!cur.Literal(pk.type, &key, &error)) return PlanError(filter, error);
    keys.push_back(std::move(key));
  } else if (cur.Identifier() == "in") {
    if (!cur.Consume("[")) return PlanError(filter, "expected [ after in");
    if (!cur.Consume("]")) {
      do {
        PrimaryKey key;
        if (!cur.Literal(pk.type, &key, &error)) return PlanError(filter, error);
        keys.push_back(std::move(key));
      } while (cur.Consume(","));
      if (!cur.Consume("]")) return PlanError(filter, "expected , or ] in the list");
    }
  } else {
    return PlanError(filter, "unsupported operator");
  }
  if (!cur.AtEnd()) return PlanError(filter, "unexpected text after the expression");
  std::set<PrimaryKey> seen;
  for (auto& key : keys) {
    if (seen.insert(key).second) out.pks.push_back(std::move(key));
  }
  return out;
}

}  // namespace vdb::proxy
