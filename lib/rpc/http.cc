#include "rpc/http.h"

#include <httplib.h>
#include <strings.h>

#include <chrono>
#include <exception>

#include "common/logging.h"
#include "rpc/status_map.h"

namespace vdb::rpc {

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return ::strcasecmp(a.c_str(), b.c_str()) < 0;
}

namespace {

std::string FirstHeader(const Headers& headers, const std::string& name) {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

constexpr const char* kNotFoundBody = "404 page not found";
constexpr const char* kUnmatched = "unmatched";

}  // namespace

std::string Request::GetHeader(const std::string& name) const { return FirstHeader(headers, name); }
std::string Response::GetHeader(const std::string& name) const {
  return FirstHeader(headers, name);
}

Status ParseAddress(std::string_view address, std::string* host, int* port) {
  std::string_view rest = address;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  while (rest.ends_with("/")) rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return Status::InvalidArgument("bad address '" + std::string(address) +
                                   "': expected host:port");
  }
  int value = 0;
  for (char c : rest.substr(colon + 1)) {
    if (c < '0' || c > '9' || value > 65535) {
      return Status::InvalidArgument("bad port in address '" + std::string(address) + "'");
    }
    value = value * 10 + (c - '0');
  }
  if (value > 65535) {
    return Status::InvalidArgument("bad port in address '" + std::string(address) + "'");
  }
  *host = std::string(rest.substr(0, colon));
  *port = value;
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// HttpServer

struct HttpServer::Impl {
  httplib::Server server;
};

HttpServer::HttpServer(HttpServerOptions options)
    : options_(options), impl_(std::make_unique<Impl>()), error_handler_(WriteInternalError) {}

HttpServer::~HttpServer() {
  // httplib closes its listening socket only from a running server: a server that was bound but
  // never started is started here so that Stop() can close it.
  if (port_ != 0 && !started_ && !stopped_) {
    Status s = Start();
    (void)s;
  }
  Stop();
}

void HttpServer::Route(std::string method, std::string path, Handler handler) {
  VDB_CHECK(!started_);
  routes_[method + " " + path] = std::move(handler);
}

void HttpServer::SetErrorHandler(ErrorHandler handler) {
  VDB_CHECK(!started_);
  error_handler_ = std::move(handler);
}

void HttpServer::Dispatch(const Request& request, Response* response) {
  auto it = routes_.find(request.method + " " + request.path);
  {
    std::lock_guard<std::mutex> lock(counts_mu_);
    ++counts_[it == routes_.end() ? kUnmatched : it->first];
  }
  if (it == routes_.end()) {
    response->status = 404;
    response->content_type = "text/plain";
    response->body = kNotFoundBody;
    return;
  }
  Status status;
  try {
    status = it->second(request, response);
  } catch (const std::exception& e) {
    status = Status::Internal(it->first + ": handler threw: " + e.what());
  } catch (...) {
    status = Status::Internal(it->first + ": handler threw a non-standard exception");
  }
  if (!status.ok()) {
    VDB_LOG(WARNING) << it->first << " failed: " << status.ToString();
    *response = Response();
    error_handler_(status, response);
  }
}

Result<int> HttpServer::Bind(const std::string& host, int port) {
  VDB_CHECK(port_ == 0 && !started_);
  httplib::Server& svr = impl_->server;
  int threads = options_.thread_count > 0 ? options_.thread_count : 1;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  svr.set_payload_max_length(options_.max_body_bytes);
  svr.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  svr.set_keep_alive_max_count(options_.keep_alive_max_requests);
  svr.set_read_timeout(options_.read_timeout_s, 0);
  svr.set_write_timeout(options_.write_timeout_s, 0);
  // httplib's default sets SO_REUSEPORT, which lets a second server bind a port already in use
  // and silently share its traffic. SO_REUSEADDR alone still lets a restarted node rebind its
  // old port while connections linger in TIME_WAIT.
  svr.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Without TCP_NODELAY, Nagle's algorithm meets the peer's delayed ACK and every small
  // request/response pair on a kept-alive connection waits ~40 ms.
  svr.set_tcp_nodelay(true);

  auto handle = [this](const httplib::Request& hreq, httplib::Response& hres) {
    Request request;
    request.method = hreq.method;
    request.path = hreq.path;
    request.remote_addr = hreq.remote_addr;
    for (const auto& [k, v] : hreq.headers) request.headers.emplace(k, v);
    // httplib owns a mutable local Request and never reads the body after the handler; moving
    // it out avoids copying request bodies of up to max_body_bytes.
    request.body = std::move(const_cast<httplib::Request&>(hreq).body);
    Response response;
    Dispatch(request, &response);
    hres.status = response.status;
    for (const auto& [k, v] : response.headers) hres.headers.emplace(k, v);
    hres.set_header("Content-Type", response.content_type);
    hres.body = std::move(response.body);
  };
  for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    std::string m = method;
    if (m == "GET") svr.Get(".*", handle);
    if (m == "POST") svr.Post(".*", handle);
    if (m == "PUT") svr.Put(".*", handle);
    if (m == "DELETE") svr.Delete(".*", handle);
    if (m == "PATCH") svr.Patch(".*", handle);
    if (m == "OPTIONS") svr.Options(".*", handle);
  }
  // Errors produced by httplib itself (oversized body, bad request line) keep its status but get
  // a plain-text body; our own 404 already has a body, which httplib leaves alone.
  svr.set_error_handler([](const httplib::Request&, httplib::Response& hres) {
    if (hres.body.empty()) {
      hres.set_content(hres.status == 404
                           ? std::string(kNotFoundBody)
                           : std::to_string(hres.status) + " " +
                                 (hres.status == 413 ? "request body too large" : "bad request"),
                       "text/plain");
    }
  });

  int bound = port;
  if (port == 0) {
    bound = svr.bind_to_any_port(host);
    if (bound <= 0) return Status::Unavailable("cannot bind " + host + ":0");
  } else if (!svr.bind_to_port(host, port)) {
    return Status::Unavailable("cannot bind " + host + ":" + std::to_string(port) +
                               " (address in use or not available)");
  }
  port_ = bound;
  return bound;
}

Status HttpServer::Start() {
  VDB_CHECK(port_ != 0 && !started_ && !stopped_);
  started_ = true;
  thread_ = std::thread([this] {
    impl_->server.listen_after_bind();
    listen_returned_ = true;
  });
  return Status::OK();
}

void HttpServer::Stop() {
  if (!started_) return;
  // stop() before the listener thread is inside its accept loop would be lost: wait for it.
  while (!impl_->server.is_running() && !listen_returned_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
  started_ = false;
  stopped_ = true;
}

std::map<std::string, uint64_t> HttpServer::RequestCounts() const {
  std::lock_guard<std::mutex> lock(counts_mu_);
  return counts_;
}

// ---------------------------------------------------------------------------------------------
// HttpClient

struct HttpClient::Conn {
  Conn(const std::string& host, int port) : client(host, port) {}
  httplib::Client client;
};

HttpClient::HttpClient(std::string address, HttpClientOptions options) : options_(options) {
  address_status_ = ParseAddress(address, &host_, &port_);
  if (address_status_.ok()) {
    address_ = host_ + ":" + std::to_string(port_);
  } else {
    address_ = std::move(address);  // every call fails with the parse error
  }
}

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Conn> HttpClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  auto conn = std::make_unique<Conn>(host_, port_);
  conn->client.set_keep_alive(true);
  conn->client.set_decompress(false);
  conn->client.set_tcp_nodelay(true);
  return conn;
}

void HttpClient::Release(std::unique_ptr<Conn> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(conn));
}

Result<Response> HttpClient::Send(const std::string& method, const std::string& path,
                                  std::string_view body, const std::string& content_type,
                                  int64_t timeout_ms, const Headers& headers) {
  VDB_RETURN_IF_ERROR(address_status_);
  auto conn = Acquire();
  httplib::Client& cli = conn->client;
  int64_t connect_ms = std::min<int64_t>(options_.connect_timeout_ms, timeout_ms);
  cli.set_connection_timeout(std::chrono::milliseconds(connect_ms));
  cli.set_read_timeout(std::chrono::milliseconds(timeout_ms));
  cli.set_write_timeout(std::chrono::milliseconds(timeout_ms));

  httplib::Headers hheaders;
  for (const auto& [k, v] : headers) hheaders.emplace(k, v);
  auto start = std::chrono::steady_clock::now();
  httplib::Result res = method == "GET"
                            ? cli.Get(path, hheaders)
                            : cli.Post(path, hheaders, body.data(), body.size(), content_type);
  if (!res) {
    auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    httplib::Error err = res.error();
    std::string what = method + " http://" + address_ + path;
    // Connection is now in an unknown state: drop it rather than returning it to the pool.
    if (err == httplib::Error::ConnectionTimeout ||
        ((err == httplib::Error::Read || err == httplib::Error::Write) &&
         elapsed_ms * 10 >= timeout_ms * 9)) {  // select() may wake a hair early
      return Status::DeadlineExceeded(what + ": no response within " + std::to_string(timeout_ms) +
                                      " ms");
    }
    // Once the request has been sent, a lost connection leaves its outcome unknown: the server
    // may have applied it. That is kIOError, which callers must not retry blindly (a retried
    // write could be applied twice); kUnavailable means nothing reached the server.
    if (err == httplib::Error::Read || err == httplib::Error::Write) {
      return Status::IOError(what + ": connection lost after the request was sent (" +
                             httplib::to_string(err) + "); it may have been applied");
    }
    return Status::Unavailable(what + ": " + httplib::to_string(err));
  }
  Response response;
  response.status = res->status;
  response.content_type = res->get_header_value("Content-Type");
  for (const auto& [k, v] : res->headers) response.headers.emplace(k, v);
  response.body = std::move(res->body);
  Release(std::move(conn));
  return response;
}

Result<Response> HttpClient::Post(const std::string& path, std::string_view body,
                                  const std::string& content_type, int64_t timeout_ms,
                                  const Headers& headers) {
  return Send("POST", path, body, content_type, timeout_ms, headers);
}

Result<Response> HttpClient::Get(const std::string& path, int64_t timeout_ms,
                                 const Headers& headers) {
  return Send("GET", path, {}, "", timeout_ms, headers);
}

Result<std::string> HttpClient::Call(const std::string& path, std::string_view body,
                                     int64_t timeout_ms) {
  VDB_ASSIGN_OR_RETURN(Response response, Post(path, body, "application/octet-stream", timeout_ms));
  if (response.status >= 200 && response.status < 300) return std::move(response.body);
  return StatusFromHttp(response.status, response.body)
      .WithContext("POST http://" + address_ + path);
}

}  // namespace vdb::rpc
