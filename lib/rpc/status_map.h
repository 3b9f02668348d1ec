// The one table that maps a StatusCode to an HTTP status (internal traffic), a default Milvus
// error code (public REST API) and a vdbctl exit code, plus the reverse mappings so an error that
// crosses a node boundary keeps its code and message. Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"

namespace vdb::rpc {

// vdbctl exit codes (DESIGN "Interfaces").
enum class ExitCode : int { kOk = 0, kServerError = 1, kUsage = 2, kUnreachable = 3 };

// What a kNotFound refers to; Milvus gives each kind of missing object its own code.
enum class ObjectKind : uint8_t {
  kNone,
  kCollection,  // 100
  kPartition,   // 200
  kIndex,       // 700
  kDatabase,    // 800
  kAlias,       // 1600
  kField,       // 1700
};

// Milvus codes used outside the table (milvus-rest-v2.md §2).
inline constexpr int kMilvusOk = 0;
inline constexpr int kMilvusUnexpected = 65535;
inline constexpr int kMilvusNotAuthenticated = 1800;
inline constexpr int kMilvusBadJson = 1801;
inline constexpr int kMilvusMissingParam = 1802;
inline constexpr int kMilvusPrivilegeDenied = 1401;
inline constexpr int kMilvusTimeout = 10001;

// HTTP status for an internal response carrying this code (200 for kOk).
int HttpStatusFor(StatusCode code);
// Default Milvus code for a status of this code; kNotFound depends on `kind` (65535 for kNone).
int MilvusCodeFor(StatusCode code, ObjectKind kind = ObjectKind::kNone);
// The HTTP status Milvus uses for an envelope carrying `milvus_code`: 200 except 401 for 1800,
// 403 for 1401 and 408 for 10001.
int MilvusHttpStatus(int milvus_code);
// Best StatusCode for a Milvus code received from a server (vdbctl, tests).
StatusCode StatusCodeForMilvus(int milvus_code);

// Exit code for an error raised by vdbctl itself before or while reaching the server:
// kInvalidArgument -> kUsage, kUnavailable/kDeadlineExceeded -> kUnreachable, others
// kServerError. An error the server reported is always kServerError.
ExitCode ExitCodeForClientError(StatusCode code);

// Parses a StatusCodeName() ("not found") back; false when unknown.
bool ParseStatusCodeName(std::string_view name, StatusCode* code);

// Rebuilds the Status an internal error response encodes: the body written by
// WriteInternalError() ({"error":"<code name>","message":"..."}); if the body is not that, the
// code comes from the HTTP status and the message from the body (truncated).
Status StatusFromHttp(int http_status, std::string_view body);

}  // namespace vdb::rpc
