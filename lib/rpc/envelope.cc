#include "rpc/envelope.h"

#include "rpc/http.h"

namespace vdb::rpc {

nlohmann::json SuccessEnvelope(nlohmann::json data) {
  nlohmann::json out = nlohmann::json::object();
  out["code"] = 0;
  out["data"] = std::move(data);
  return out;
}

nlohmann::json ErrorEnvelope(int code, std::string_view message) {
  nlohmann::json out = nlohmann::json::object();
  out["code"] = code;
  out["message"] = std::string(message);
  return out;
}

nlohmann::json ErrorEnvelope(const Status& status, ObjectKind kind) {
  return ErrorEnvelope(MilvusCodeFor(status.code(), kind), status.message());
}

void WriteEnvelope(const nlohmann::json& envelope, Response* response) {
  int code = 0;
  auto it = envelope.find("code");
  if (it != envelope.end() && it->is_number_integer()) code = it->get<int>();
  response->status = MilvusHttpStatus(code);
  response->content_type = "application/json; charset=utf-8";
  response->body = envelope.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void WriteEnvelopeError(const Status& status, Response* response) {
  WriteEnvelope(ErrorEnvelope(status.ok() ? Status::Internal("error without a cause") : status),
                response);
}

Result<nlohmann::json> ParseEnvelope(std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    std::string head(body.substr(0, 200));
    return Status::Internal("response is not a JSON envelope: " + head);
  }
  auto code_it = parsed.find("code");
  if (code_it == parsed.end() || !code_it->is_number_integer()) {
    return Status::Internal("response envelope has no integer \"code\"");
  }
  int code = code_it->get<int>();
  if (code == 0) {
    auto data_it = parsed.find("data");
    if (data_it == parsed.end()) return nlohmann::json(nullptr);
    return std::move(*data_it);
  }
  std::string message;
  auto msg_it = parsed.find("message");
  if (msg_it != parsed.end() && msg_it->is_string()) message = msg_it->get<std::string>();
  return Status(StatusCodeForMilvus(code), message + " (code " + std::to_string(code) + ")");
}

}  // namespace vdb::rpc
