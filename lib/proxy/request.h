// Parsing Milvus REST v2 request bodies and headers with Milvus's rules (milvus-rest-v2.md §1):
// the body is JSON whatever the Content-Type; `null` means an empty object; keys match exactly
// or else case-insensitively (autoID / autoId); a JSON `null` value counts as absent; a wrong
// JSON type is 1801, a missing required member 1802. Also the header rules (DB-Name,
// Accept-Type-Allow-Int64, Request-Timeout) and the error constructors for the REST-layer codes.
// Pure functions and immutable values; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace vdb::rpc {
struct Request;
}  // namespace vdb::rpc

namespace vdb::proxy {

// Milvus codes the proxy raises itself (beyond rpc/status_map.h's).
inline constexpr int kMilvusNotReady = 1;
inline constexpr int kMilvusCollectionNotFound = 100;
inline constexpr int kMilvusCollectionNotLoaded = 101;
inline constexpr int kMilvusPartitionNotFound = 200;
inline constexpr int kMilvusPartitionNotLoaded = 201;
inline constexpr int kMilvusIndexNotFound = 700;
inline constexpr int kMilvusDatabaseNotFound = 800;
inline constexpr int kMilvusInvalidParameter = 1100;
inline constexpr int kMilvusAliasNotFound = 1600;
inline constexpr int kMilvusFieldNotFound = 1700;
inline constexpr int kMilvusInsertDataError = 1804;

// 1801 "can only accept json format request, error: <detail>" (kInvalidArgument).
Status BadJson(std::string_view detail);
// 1802 "missing required parameters, error: <name> is required" (kInvalidArgument).
Status MissingParam(std::string_view name);
// 1100 "invalid parameter: <detail>" (kInvalidArgument).
Status InvalidParam(std::string_view detail);
// 65535 with `detail` as the message (kind `code`).
Status Unexpected(StatusCode code, std::string_view detail);
// 200 "partition not found[partition=<name>]" (kNotFound).
Status PartitionNotFound(const std::string& name);

// ASCII case-insensitive equality (how the REST layer matches member names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// A parsed request body: a JSON object. Accessors look a key up exactly, then
// case-insensitively; a member whose value is null is treated as absent.
class JsonBody {
 public:
  JsonBody() : json_(nlohmann::json::object()) {}
  // REQUIRES: object.is_object().
  explicit JsonBody(nlohmann::json object) : json_(std::move(object)) {}

  // Parses `text`: zero bytes -> 1801; not JSON or not an object -> 1801; `null` -> {}.
  static Result<JsonBody> Parse(std::string_view text);

  const nlohmann::json& root() const { return json_; }
  // The member for `key`, or nullptr when absent or null.
  const nlohmann::json* Find(std::string_view key) const;

  // Strings: absent -> "" (required: 1802 when absent or empty); not a string -> 1801.
  Result<std::string> String(std::string_view key, bool required = false) const;
  // Booleans: strict JSON true/false, else 1801.
  Result<std::optional<bool>> Bool(std::string_view key) const;
  // Integers: a JSON integer, else 1801 (1.5, "10" are type errors as in Go).
  Result<std::optional<int64_t>> Int(std::string_view key) const;
  // A list of strings (required: 1802 when absent or empty).
  Result<std::vector<std::string>> StringList(std::string_view key, bool required = false) const;
  // An object member (nullptr when absent); not an object -> 1801.
  Result<const nlohmann::json*> Object(std::string_view key) const;
  // An array member (nullptr when absent); not an array -> 1801.
  Result<const nlohmann::json*> Array(std::string_view key) const;

 private:
  nlohmann::json json_;
};

// Case-insensitive member lookup on any JSON object (exact match preferred); nullptr when `obj`
// is not an object, the key is absent or its value is null.
const nlohmann::json* FindMember(const nlohmann::json& obj, std::string_view key);

// A value that Milvus accepts as bool or as a string ("true", "False", "1", "0"); nullopt for
// anything else.
std::optional<bool> LooseBool(const nlohmann::json& value);
// A value that Milvus accepts as an integer or a decimal string; nullopt otherwise.
std::optional<int64_t> LooseInt(const nlohmann::json& value);
// Map values as Milvus stores them: strings as they are, everything else JSON-encoded
// (true -> "true", 5 -> "5").
std::string ValueToString(const nlohmann::json& value);

// The database of a request: `body_db` when not empty, else the DB-Name header, else "default".
std::string ResolveDbName(std::string_view body_db, const rpc::Request& request);
// Accept-Type-Allow-Int64: "true"/"false" (case-insensitive, also 1/0); `server_default` when
// absent or unparsable.
bool AllowInt64(const rpc::Request& request, bool server_default = true);
// An int64 result value: a JSON number, or a decimal string when !allow_int64.
nlohmann::json Int64Json(int64_t value, bool allow_int64);
// Request-Timeout in whole seconds -> milliseconds; `default_ms` when absent, unparsable or <= 0.
int64_t RequestTimeoutMs(const rpc::Request& request, int64_t default_ms);

}  // namespace vdb::proxy
