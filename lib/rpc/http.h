// HTTP server and client for the public API and for node-to-node traffic, over cpp-httplib
// (included only by http.cc). Our own Request/Response types keep httplib out of every header.
// HttpServer: configure (Route, SetErrorHandler) before Start(); handlers then run concurrently
// on the server's thread pool. HttpClient: thread-safe; concurrent calls use separate connections.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace vdb::rpc {

// Orders header names case-insensitively (HTTP header names are case-insensitive).
struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  Headers headers;
  std::string body;
  std::string remote_addr;

  // The first value of header `name`, or "" when absent.
  std::string GetHeader(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  Headers headers;  // extra headers; Content-Type comes from content_type

  std::string GetHeader(const std::string& name) const;
};

// A route handler fills `response`. Returning a non-OK Status discards the response and sends
// the server's error response for that Status instead (see HttpServer::SetErrorHandler).
using Handler = std::function<Status(const Request& request, Response* response)>;
// Turns a failed handler's Status into a response.
using ErrorHandler = std::function<void(const Status& status, Response* response)>;

struct HttpServerOptions {
  // httplib serves a kept-alive connection on one pool thread until it closes, so the pool must
  // be larger than the number of connections peers keep open (every node holds a heartbeat and a
  // catalog long-poll connection to the coordinator); idle threads cost little.
  int thread_count = 64;
  // Largest request body accepted; bigger ones get HTTP 413.
  size_t max_body_bytes = size_t{256} << 20;
  // An idle keep-alive connection is closed after this long; Stop() waits for idle connections
  // to notice, so this also bounds how long Stop() takes.
  int keep_alive_timeout_s = 1;
  int keep_alive_max_requests = 1000;
  int read_timeout_s = 30;
  int write_timeout_s = 30;
};

// Sets the internal error format: HTTP status from status_map, body {"error":"<code name>",
// "message":"..."} that StatusFromHttp() turns back into the same Status.
void WriteInternalError(const Status& status, Response* response);

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  ~HttpServer();  // Stops the server if running.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers `handler` for exact matches of `method` and `path`; a later Route for the same pair
  // replaces the earlier one. Anything unmatched (unknown path, or known path with another
  // method) gets HTTP 404 with the plain text "404 page not found", as Milvus (gin) answers.
  // REQUIRES: called before Start().
  void Route(std::string method, std::string path, Handler handler);
  // Default: WriteInternalError. REQUIRES: called before Start().
  void SetErrorHandler(ErrorHandler handler);

  // Binds `host`:`port`; port 0 picks a free port. Returns the bound port, or kUnavailable naming
  // the address when it cannot be bound. REQUIRES: not yet bound.
  Result<int> Bind(const std::string& host, int port);
  // Serves on a background thread pool. REQUIRES: Bind() succeeded.
  Status Start();
  // Stops accepting, lets running handlers finish and joins the threads; takes up to
  // keep_alive_timeout_s longer when clients hold idle connections. Idempotent; a stopped server
  // cannot be started again.
  void Stop();

  int port() const { return port_; }
  // Requests served per route ("POST /v2/vectordb/collections/list"), plus "unmatched" for 404s.
  std::map<std::string, uint64_t> RequestCounts() const;

 private:
  struct Impl;
  void Dispatch(const Request& request, Response* response);

  HttpServerOptions options_;
  std::unique_ptr<Impl> impl_;
  std::map<std::string, Handler> routes_;  // key "METHOD path"; read-only once started
  ErrorHandler error_handler_;
  std::thread thread_;
  int port_ = 0;
  bool started_ = false;
  bool stopped_ = false;  // a stopped server cannot be restarted
  std::atomic<bool> listen_returned_{false};
  mutable std::mutex counts_mu_;
  std::map<std::string, uint64_t> counts_;  // GUARDED_BY(counts_mu_)
};

struct HttpClientOptions {
  int connect_timeout_ms = 2000;
  // Idle keep-alive connections kept for reuse.
  size_t max_idle_connections = 8;
};

// Client for one server address ("127.0.0.1:19530" or "http://127.0.0.1:19530").
// Errors: kUnavailable (cannot connect: nothing was sent; names the address), kIOError (the
// connection broke after the request was sent: it may have been applied), kDeadlineExceeded
// (no complete response within timeout_ms). Any HTTP status, 4xx/5xx included, is a Response.
class HttpClient {
 public:
  explicit HttpClient(std::string address, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<Response> Post(const std::string& path, std::string_view body,
                        const std::string& content_type, int64_t timeout_ms,
                        const Headers& headers = {});
  Result<Response> Get(const std::string& path, int64_t timeout_ms, const Headers& headers = {});

  // Post for internal traffic: a non-2xx response becomes the Status it encodes (StatusFromHttp);
  // a 2xx response yields its body.
  Result<std::string> Call(const std::string& path, std::string_view body, int64_t timeout_ms);

  const std::string& address() const { return address_; }

 private:
  struct Conn;
  Result<Response> Send(const std::string& method, const std::string& path, std::string_view body,
                        const std::string& content_type, int64_t timeout_ms,
                        const Headers& headers);
  std::unique_ptr<Conn> Acquire();
  void Release(std::unique_ptr<Conn> conn);

  std::string address_;  // "host:port"
  std::string host_;
  int port_ = 0;
  Status address_status_;  // a bad address fails every call
  HttpClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;  // GUARDED_BY(mu_)
};

// Splits "host:port" or "http://host:port[/]" into its parts; kInvalidArgument otherwise.
Status ParseAddress(std::string_view address, std::string* host, int* port);

}  // namespace vdb::rpc
