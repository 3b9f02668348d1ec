#include "proxy/request.h"

#include <cctype>
#include <charconv>

#include "rpc/catalog.h"
#include "rpc/http.h"

namespace vdb::proxy {

using nlohmann::json;

Status BadJson(std::string_view detail) {
  return rpc::WithMilvusCode(
      rpc::kMilvusBadJson, Status::InvalidArgument("can only accept json format request, error: " +
                                                   std::string(detail)));
}

Status MissingParam(std::string_view name) {
  return rpc::WithMilvusCode(rpc::kMilvusMissingParam,
                             Status::InvalidArgument("missing required parameters, error: " +
                                                     std::string(name) + " is required"));
}

Status InvalidParam(std::string_view detail) {
  return rpc::WithMilvusCode(kMilvusInvalidParameter,
                             Status::InvalidArgument("invalid parameter: " + std::string(detail)));
}

Status Unexpected(StatusCode code, std::string_view detail) {
  return rpc::WithMilvusCode(rpc::kMilvusUnexpected, Status(code, std::string(detail)));
}

Status PartitionNotFound(const std::string& name) {
  return rpc::WithMilvusCode(kMilvusPartitionNotFound,
                             Status::NotFound("partition not found[partition=" + name + "]"));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

namespace {

const char* TypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::number_float:
      return "float";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    default:
      return "null";
  }
}

Status WrongType(std::string_view key, std::string_view want, const json& got) {
  return BadJson("json: cannot unmarshal " + std::string(TypeName(got)) + " into field " +
                 std::string(key) + " of type " + std::string(want));
}

}  // namespace

const json* FindMember(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it != obj.end()) return it->is_null() ? nullptr : &*it;
  for (auto m = obj.begin(); m != obj.end(); ++m) {
    if (EqualsIgnoreCase(m.key(), key)) return m->is_null() ? nullptr : &*m;
  }
  return nullptr;
}

Result<JsonBody> JsonBody::Parse(std::string_view text) {
  if (text.empty()) return BadJson("request body is empty");
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return BadJson("invalid JSON body");
  if (parsed.is_null()) return JsonBody();
  if (!parsed.is_object())
    return BadJson("body is a JSON " + std::string(TypeName(parsed)) + ", not an object");
  return JsonBody(std::move(parsed));
}

const json* JsonBody::Find(std::string_view key) const { return FindMember(json_, key); }

Result<std::string> JsonBody::String(std::string_view key, bool required) const {
  const json* v = Find(key);
  if (v == nullptr) {
    if (required) return MissingParam(key);
    return std::string();
  }
  if (!v->is_string()) return WrongType(key, "string", *v);
  std::string s = v->get<std::string>();
  if (required && s.empty()) return MissingParam(key);
  return s;
}

Result<std::optional<bool>> JsonBody::Bool(std::string_view key) const {
  const json* v = Find(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(key, "bool", *v);
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<int64_t>> JsonBody::Int(std::string_view key) const {
  const json* v = Find(key);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->is_number_integer() && !v->is_number_unsigned()) {
    return std::optional<int64_t>(v->get<int64_t>());
  }
  if (v->is_number_unsigned() && v->get<uint64_t>() <= uint64_t{INT64_MAX}) {
    return std::optional<int64_t>(static_cast<int64_t>(v->get<uint64_t>()));
  }
  return WrongType(key, "int64", *v);
}

Result<std::vector<std::string>> JsonBody::StringList(std::string_view key, bool required) const {
  std::vector<std::string> out;
  const json* v = Find(key);
  if (v != nullptr) {
    if (!v->is_array()) return WrongType(key, "[]string", *v);
    for (const json& e : *v) {
      if (!e.is_string()) return WrongType(key, "[]string", e);
      out.push_back(e.get<std::string>());
    }
  }
  if (required && out.empty()) return MissingParam(key);
  return out;
}

Result<const json*> JsonBody::Object(std::string_view key) const {
  const json* v = Find(key);
  if (v != nullptr && !v->is_object()) return WrongType(key, "object", *v);
  return v;
}

Result<const json*> JsonBody::Array(std::string_view key) const {
  const json* v = Find(key);
  if (v != nullptr && !v->is_array()) return WrongType(key, "array", *v);
  return v;
}

std::optional<bool> LooseBool(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    if (EqualsIgnoreCase(s, "true") || s == "1") return true;
    if (EqualsIgnoreCase(s, "false") || s == "0") return false;
  }
  return std::nullopt;
}

std::optional<int64_t> LooseInt(const json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX}) {
      return std::nullopt;
    }
    return value.get<int64_t>();
  }
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) return v;
  }
  return std::nullopt;
}

std::string ValueToString(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string ResolveDbName(std::string_view body_db, const rpc::Request& request) {
  if (!body_db.empty()) return std::string(body_db);
  std::string header = request.GetHeader("DB-Name");
  if (!header.empty()) return header;
  return std::string(rpc::kDefaultDatabase);
}

bool AllowInt64(const rpc::Request& request, bool server_default) {
  std::string v = request.GetHeader("Accept-Type-Allow-Int64");
  if (EqualsIgnoreCase(v, "true") || v == "1" || EqualsIgnoreCase(v, "t")) return true;
  if (EqualsIgnoreCase(v, "false") || v == "0" || EqualsIgnoreCase(v, "f")) return false;
  return server_default;
}

json Int64Json(int64_t value, bool allow_int64) {
  if (allow_int64) return json(value);
  return json(std::to_string(value));
}

int64_t RequestTimeoutMs(const rpc::Request& request, int64_t default_ms) {
  std::string v = request.GetHeader("Request-Timeout");
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || seconds <= 0 ||
      seconds > 365LL * 24 * 3600) {
    return default_ms;
  }
  return seconds * 1000;
}

}  // namespace vdb::proxy
