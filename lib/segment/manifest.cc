#include "segment/manifest.h"

#include <nlohmann/json.hpp>

#include "common/crc32c.h"
#include "segment/format.h"

namespace vdb::segment {
namespace {

using nlohmann::json;

std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += kDigits[static_cast<uint8_t>(c) >> 4];
    out += kDigits[static_cast<uint8_t>(c) & 15];
  }
  return out;
}

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

json FieldToJson(const FieldSchema& f) {
  json j = {{"id", f.id.value()},
            {"name", f.name},
            {"type", DataTypeName(f.type)},
            {"element_type", DataTypeName(f.element_type)},
            {"primary_key", f.primary_key},
            {"auto_id", f.auto_id},
            {"nullable", f.nullable},
            {"partition_key", f.partition_key},
            {"dim", f.dim},
            {"max_length", f.max_length},
            {"max_capacity", f.max_capacity}};
  if (f.default_value) j["default_value"] = ToHex(*f.default_value);
  return j;
}

// Throws json::exception on a missing or mistyped member; the caller turns that into a Status.
Result<FieldSchema> FieldFromJson(const json& j) {
  FieldSchema f;
  f.id = FieldId(j.at("id").get<int64_t>());
  f.name = j.at("name").get<std::string>();
  VDB_ASSIGN_OR_RETURN(f.type, ParseDataType(j.at("type").get<std::string>()));
  std::string element = j.at("element_type").get<std::string>();
  if (element != "None") {
    VDB_ASSIGN_OR_RETURN(f.element_type, ParseDataType(element));
  }
  f.primary_key = j.at("primary_key").get<bool>();
  f.auto_id = j.at("auto_id").get<bool>();
  f.nullable = j.at("nullable").get<bool>();
  f.partition_key = j.at("partition_key").get<bool>();
  f.dim = j.at("dim").get<int64_t>();
  f.max_length = j.at("max_length").get<int64_t>();
  f.max_capacity = j.at("max_capacity").get<int64_t>();
  if (j.contains("default_value")) {
    std::string bytes;
    if (!FromHex(j.at("default_value").get<std::string>(), &bytes)) {
      return Status::Corruption("bad default_value of field " + f.name);
    }
    f.default_value = std::move(bytes);
  }
  return f;
}

json BodyToJson(const Manifest& m) {
  json fields = json::array();
  for (const auto& f : m.schema.fields) fields.push_back(FieldToJson(f));
  json files = json::array();
  for (const auto& f : m.files) {
    files.push_back({{"kind", f.kind},
                     {"field_id", f.field_id.value()},
                     {"key", f.key},
                     {"size", f.size},
                     {"crc32c", f.crc32c}});
  }
  return {{"format_version", m.format_version},
          {"segment_id", m.segment_id.value()},
          {"collection_id", m.collection_id.value()},
          {"partition_id", m.partition_id.value()},
          {"row_count", m.row_count},
          {"min_timestamp", m.min_timestamp},
          {"max_timestamp", m.max_timestamp},
          {"schema",
           {{"name", m.schema.name},
            {"enable_dynamic_field", m.schema.enable_dynamic_field},
            {"fields", fields}}},
          {"files", files}};
}

Result<Manifest> BodyFromJson(const json& j) {
  Manifest m;
  m.format_version = j.at("format_version").get<uint32_t>();
  if (m.format_version != kFormatVersion) {
    return Status::Corruption("unknown format version " + std::to_string(m.format_version));
  }
  m.segment_id = SegmentId(j.at("segment_id").get<int64_t>());
  m.collection_id = CollectionId(j.at("collection_id").get<int64_t>());
  m.partition_id = PartitionId(j.at("partition_id").get<int64_t>());
  m.row_count = j.at("row_count").get<uint64_t>();
  m.min_timestamp = j.at("min_timestamp").get<uint64_t>();
  m.max_timestamp = j.at("max_timestamp").get<uint64_t>();
  const json& schema = j.at("schema");
  m.schema.name = schema.at("name").get<std::string>();
  m.schema.enable_dynamic_field = schema.at("enable_dynamic_field").get<bool>();
  for (const json& f : schema.at("fields")) {
    VDB_ASSIGN_OR_RETURN(FieldSchema field, FieldFromJson(f));
    m.schema.fields.push_back(std::move(field));
  }
  for (const json& f : j.at("files")) {
    m.files.push_back(ManifestFile{f.at("kind").get<std::string>(),
                                   FieldId(f.at("field_id").get<int64_t>()),
                                   f.at("key").get<std::string>(), f.at("size").get<uint64_t>(),
                                   f.at("crc32c").get<uint32_t>()});
  }
  return m;
}

std::string Serialize(const json& body) {
  json whole = body;
  whole["checksum"] = crc32c::Value(body.dump());
  return whole.dump(2) + "\n";
}

}  // namespace

const ManifestFile* Manifest::FindFile(std::string_view kind, FieldId field_id) const {
  for (const auto& f : files) {
    if (f.kind == kind && f.field_id == field_id) return &f;
  }
  return nullptr;
}

std::string EncodeManifest(const Manifest& manifest) { return Serialize(BodyToJson(manifest)); }

Result<Manifest> DecodeManifest(std::string_view bytes, std::string_view what) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption(std::string(what) + ": " + why);
  };
  json whole = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (whole.is_discarded() || !whole.is_object()) return bad("not a JSON object");
  try {
    json body = whole;
    body.erase("checksum");
    if (!whole.contains("checksum") ||
        whole.at("checksum").get<uint32_t>() != crc32c::Value(body.dump())) {
      return bad("bad checksum");
    }
    Result<Manifest> m = BodyFromJson(body);
    if (!m.ok()) return bad(m.status().message());
    // Only the writer's own bytes are accepted: no edits, no reformatting, no extra members.
    if (Serialize(BodyToJson(*m)) != bytes) return bad("not in canonical form");
    Status valid = m->schema.Validate();
    if (!valid.ok()) return bad("invalid schema: " + valid.message());
    return m;
  } catch (const json::exception& e) {
    return bad(std::string("malformed: ") + e.what());
  }
}

}  // namespace vdb::segment
