// Milvus REST v2 response envelopes: {"code":0,"data":...} on success and
// {"code":N,"message":"..."} on failure (milvus-rest-v2.md §2). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "rpc/status_map.h"

namespace vdb::rpc {

struct Response;

// {"code":0,"data":<data>}.
nlohmann::json SuccessEnvelope(nlohmann::json data);
// {"code":<code>,"message":<message>}. REQUIRES: code != 0.
nlohmann::json ErrorEnvelope(int code, std::string_view message);
// ErrorEnvelope(MilvusCodeFor(status.code(), kind), status.message()). REQUIRES: !status.ok().
nlohmann::json ErrorEnvelope(const Status& status, ObjectKind kind = ObjectKind::kNone);

// Serialises `envelope` into `response` with Milvus's content type and HTTP status (200, or
// 401/403/408 for the codes that Milvus sends with those statuses). Invalid UTF-8 in strings is
// replaced rather than failing.
void WriteEnvelope(const nlohmann::json& envelope, Response* response);
// An ErrorHandler for HttpServer that answers failed handlers with envelopes.
void WriteEnvelopeError(const Status& status, Response* response);

// Reads an envelope received from a server: the "data" member (null when absent) when code is 0,
// otherwise a Status whose code is StatusCodeForMilvus(code) and whose message is
// "<message> (code N)". Malformed bodies are kInternal naming what was wrong.
Result<nlohmann::json> ParseEnvelope(std::string_view body);

}  // namespace vdb::rpc
