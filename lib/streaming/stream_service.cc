#include "streaming/stream_service.h"

#include <string>

#include "rpc/data_plane.h"
#include "rpc/http.h"
#include "streaming/streaming_node.h"

namespace vdb::streaming {
namespace {

constexpr const char* kBinary = "application/octet-stream";

// A handler that decodes the body with `decode`, runs `call` and encodes with `encode`.
template <typename Decode, typename Call, typename Encode>
rpc::Handler MakeHandler(Decode decode, Call call, Encode encode) {
  return [decode, call, encode](const rpc::Request& request, rpc::Response* response) -> Status {
    auto message = decode(request.body);
    if (!message.ok()) return Status::InvalidArgument(message.status().message());
    auto answer = call(*message);
    if (!answer.ok()) return answer.status();
    response->content_type = kBinary;
    response->body = encode(*answer);
    return Status::OK();
  };
}

}  // namespace

void StreamService::RegisterRoutes(rpc::HttpServer* server) {
  StreamingNode* node = node_;
  server->Route(
      "POST", std::string(rpc::kStreamWritePath),
      MakeHandler(
          rpc::DecodeWriteRequest, [node](const rpc::WriteRequest& m) { return node->Write(m); },
          rpc::EncodeWriteResponse));
  server->Route(
      "POST", std::string(rpc::kStreamDeletePath),
      MakeHandler(
          rpc::DecodeDeleteRequest, [node](const rpc::DeleteRequest& m) { return node->Delete(m); },
          rpc::EncodeWriteResponse));
  server->Route(
      "POST", std::string(rpc::kStreamSearchPath),
      MakeHandler(
          rpc::DecodeSearchRequest, [node](const rpc::SearchRequest& m) { return node->Search(m); },
          rpc::EncodeSearchPartial));
  server->Route(
      "POST", std::string(rpc::kStreamGetPath),
      MakeHandler(
          rpc::DecodeGetRequest, [node](const rpc::GetRequest& m) { return node->Get(m); },
          rpc::EncodeGetResponse));
  server->Route(
      "POST", std::string(rpc::kStreamCountPath),
      MakeHandler(
          rpc::DecodeCountRequest, [node](const rpc::CountRequest& m) { return node->Count(m); },
          rpc::EncodeCountResponse));
  server->Route(
      "POST", std::string(rpc::kStreamScanPath),
      MakeHandler(
          rpc::DecodeScanRequest, [node](const rpc::ScanRequest& m) { return node->Scan(m); },
          rpc::EncodeScanResponse));
  server->Route("POST", std::string(rpc::kStreamDeletesPath),
                MakeHandler(
                    rpc::DecodeDeletesRequest,
                    [node](const rpc::DeletesRequest& m) { return node->Deletes(m); },
                    rpc::EncodeDeletesResponse));
  server->Route("POST", std::string(rpc::kStreamFlushPath),
                MakeHandler(
                    rpc::DecodeFlushRequest,
                    [node](const rpc::FlushRequest& m) -> Result<rpc::FlushResponse> {
                      VDB_RETURN_IF_ERROR(node->Flush(m.collection_id));
                      return rpc::FlushResponse{};
                    },
                    rpc::EncodeFlushResponse));
}

}  // namespace vdb::streaming
