#include "rpc/status_map.h"

#include <array>
#include <nlohmann/json.hpp>

#include "rpc/http.h"

namespace vdb::rpc {

namespace {

struct StatusMapping {
  StatusCode code;
  int http_status;     // internal traffic
  int milvus_code;     // public API default
  ExitCode exit_code;  // raised locally by vdbctl
};

// The table. Internal HTTP statuses are distinct where HTTP has a fitting one; the body carries
// the exact code anyway, so shared 500s lose nothing.
constexpr std::array<StatusMapping, 11> kTable = {{
    {StatusCode::kOk, 200, 0, ExitCode::kOk},
    {StatusCode::kNotFound, 404, 65535, ExitCode::kServerError},
    {StatusCode::kAlreadyExists, 409, 65535, ExitCode::kServerError},
    {StatusCode::kInvalidArgument, 400, 1100, ExitCode::kUsage},
    {StatusCode::kCorruption, 500, 5, ExitCode::kServerError},
    {StatusCode::kIOError, 500, 5, ExitCode::kServerError},
    {StatusCode::kUnavailable, 503, 2, ExitCode::kUnreachable},
    {StatusCode::kDeadlineExceeded, 408, 10001, ExitCode::kUnreachable},
    {StatusCode::kNotSupported, 501, 65535, ExitCode::kServerError},
    {StatusCode::kInternal, 500, 5, ExitCode::kServerError},
    {StatusCode::kAborted, 412, 65535, ExitCode::kServerError},
}};

const StatusMapping& Lookup(StatusCode code) {
  for (const auto& m : kTable) {
    if (m.code == code) return m;
  }
  return kTable[static_cast<size_t>(StatusCode::kInternal)];
}

constexpr size_t kMaxMessageFromBody = 512;

}  // namespace

int HttpStatusFor(StatusCode code) { return Lookup(code).http_status; }

int MilvusCodeFor(StatusCode code, ObjectKind kind) {
  if (code == StatusCode::kNotFound) {
    switch (kind) {
      case ObjectKind::kCollection:
        return 100;
      case ObjectKind::kPartition:
        return 200;
      case ObjectKind::kIndex:
        return 700;
      case ObjectKind::kDatabase:
        return 800;
      case ObjectKind::kAlias:
        return 1600;
      case ObjectKind::kField:
        return 1700;
      case ObjectKind::kNone:
        break;
    }
  }
  return Lookup(code).milvus_code;
}

int MilvusHttpStatus(int milvus_code) {
  switch (milvus_code) {
    case kMilvusNotAuthenticated:
      return 401;
    case kMilvusPrivilegeDenied:
      return 403;
    case kMilvusTimeout:
      return 408;
    default:
      return 200;
  }
}

StatusCode StatusCodeForMilvus(int milvus_code) {
  switch (milvus_code) {
    case 0:
      return StatusCode::kOk;
    case 1:
    case 2:
      return StatusCode::kUnavailable;
    case 5:
      return StatusCode::kInternal;
    case 100:
    case 200:
    case 700:
    case 800:
    case 1600:
    case 1700:
      return StatusCode::kNotFound;
    case 1100:
    case 1101:
    case 1102:
    case 1801:
    case 1802:
    case 1804:
    case 1806:
      return StatusCode::kInvalidArgument;
    case 1602:
    case 702:
      return StatusCode::kAlreadyExists;
    case 701:
      return StatusCode::kNotSupported;
    case 10001:
      return StatusCode::kDeadlineExceeded;
    default:
      return StatusCode::kInternal;
  }
}

ExitCode ExitCodeForClientError(StatusCode code) { return Lookup(code).exit_code; }

bool ParseStatusCodeName(std::string_view name, StatusCode* code) {
  for (const auto& m : kTable) {
    if (StatusCodeName(m.code) == name) {
      *code = m.code;
      return true;
    }
  }
  return false;
}

void WriteInternalError(const Status& status, Response* response) {
  response->status = HttpStatusFor(status.code());
  response->content_type = "application/json; charset=utf-8";
  nlohmann::json body = {{"error", std::string(StatusCodeName(status.code()))},
                         {"message", status.message()}};
  response->body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status StatusFromHttp(int http_status, std::string_view body) {
  if (http_status >= 200 && http_status < 300) return Status::OK();
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string() &&
      parsed.contains("message") && parsed["message"].is_string()) {
    StatusCode code;
    if (ParseStatusCodeName(parsed["error"].get<std::string>(), &code) && code != StatusCode::kOk) {
      return Status(code, parsed["message"].get<std::string>());
    }
  }
  StatusCode code = StatusCode::kInternal;
  for (const auto& m : kTable) {
    if (m.http_status == http_status && m.code != StatusCode::kOk) {
      code = m.code;
      break;
    }
  }
  std::string text(body.substr(0, kMaxMessageFromBody));
  return Status(code, "HTTP " + std::to_string(http_status) + (text.empty() ? "" : ": " + text));
}

}  // namespace vdb::rpc
