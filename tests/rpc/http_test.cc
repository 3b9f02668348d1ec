#include "rpc/http.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "rpc/status_map.h"

namespace vdb::rpc {
namespace {

std::string Addr(int port) { return "127.0.0.1:" + std::to_string(port); }

class HttpTest : public ::testing::Test {
 protected:
  void StartServer() {
    auto port = server_.Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    ASSERT_GT(*port, 0);
    ASSERT_TRUE(server_.Start().ok());
    client_ = std::make_unique<HttpClient>(Addr(*port));
  }
  HttpServer server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpTest, RoutesByMethodAndPath) {
  server_.Route("POST", "/echo", [](const Request& req, Response* resp) {
    resp->body = req.method + ":" + req.body + ":" + req.GetHeader("x-test");
    return Status::OK();
  });
  server_.Route("GET", "/healthz", [](const Request&, Response* resp) {
    resp->body = R"({"status":"ok"})";
    return Status::OK();
  });
  StartServer();
  auto r = client_->Post("/echo", "hi", "text/plain", 2000, {{"X-Test", "v"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST:hi:v");
  auto g = client_->Get("/healthz", 2000);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->body, R"({"status":"ok"})");
  EXPECT_EQ(g->content_type, "application/json; charset=utf-8");
  auto counts = server_.RequestCounts();
  EXPECT_EQ(counts["POST /echo"], 1u);
  EXPECT_EQ(counts["GET /healthz"], 1u);
}

TEST_F(HttpTest, UnknownPathOrWrongMethodIsPlainText404) {
  server_.Route("POST", "/v2/vectordb/collections/list", [](const Request&, Response* resp) {
    resp->body = "{}";
    return Status::OK();
  });
  StartServer();
  for (auto result :
       {client_->Get("/nope", 2000), client_->Get("/v2/vectordb/collections/list", 2000),
        client_->Post("/v2/vectordb/nope", "{}", "application/json", 2000)}) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->status, 404);
    EXPECT_EQ(result->body, "404 page not found");
    EXPECT_EQ(result->content_type.rfind("text/plain", 0), 0u) << result->content_type;
  }
  EXPECT_EQ(server_.RequestCounts()["unmatched"], 3u);
}

TEST_F(HttpTest, LargeBodyRoundTrip) {
  server_.Route("POST", "/echo", [](const Request& req, Response* resp) {
    resp->content_type = "application/octet-stream";
    resp->body = req.body;
    return Status::OK();
  });
  StartServer();
  std::string body(size_t{64} << 20, '\0');
  for (size_t i = 0; i < body.size(); i += 4093) body[i] = static_cast<char>(i * 31);
  auto r = client_->Post("/echo", body, "application/octet-stream", 60000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(r->body.size(), body.size());
  EXPECT_TRUE(r->body == body);
}

TEST(HttpServerTest, BodyOverLimitIsRejected) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  HttpServer server(options);
  server.Route("POST", "/x", [](const Request&, Response*) { return Status::OK(); });
  auto port = server.Bind("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  ASSERT_TRUE(server.Start().ok());
  HttpClient client(Addr(*port));
  auto r = client.Post("/x", std::string(4096, 'a'), "text/plain", 2000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
}

TEST_F(HttpTest, HandlerErrorsAndExceptionsBecomeResponses) {
  server_.Route("POST", "/fail", [](const Request&, Response* resp) {
    resp->body = "partial";  // discarded
    return Status::NotFound("collection c1");
  });
  server_.Route("POST", "/throw",
                [](const Request&, Response*) -> Status { throw std::runtime_error("boom"); });
  StartServer();
  auto r = client_->Post("/fail", "", "application/json", 2000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  Status s = StatusFromHttp(r->status, r->body);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "collection c1");

  auto t = client_->Post("/throw", "", "application/json", 2000);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->status, 500);
  Status ts = StatusFromHttp(t->status, t->body);
  EXPECT_EQ(ts.code(), StatusCode::kInternal);
  EXPECT_NE(ts.message().find("boom"), std::string::npos) << ts.message();

  // The server survived and Call() maps the error back to a Status.
  auto c = client_->Call("/fail", "", 2000);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("collection c1"), std::string::npos);
}

TEST_F(HttpTest, CustomErrorHandler) {
  server_.SetErrorHandler([](const Status& s, Response* resp) {
    resp->status = 200;
    resp->body = "custom:" + s.message();
  });
  server_.Route("POST", "/fail",
                [](const Request&, Response*) { return Status::InvalidArgument("bad"); });
  StartServer();
  auto r = client_->Post("/fail", "", "application/json", 2000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "custom:bad");
}

TEST(HttpClientTest, ClosedPortIsUnavailableNamingTheAddress) {
  int port = 0;
  {
    HttpServer server;
    auto bound = server.Bind("127.0.0.1", 0);
    ASSERT_TRUE(bound.ok());
    port = *bound;
  }  // never started; the socket is closed here
  HttpClient client(Addr(port));
  auto r = client.Get("/healthz", 2000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find(Addr(port)), std::string::npos) << r.status().message();
}

TEST(HttpClientTest, BadAddressIsInvalidArgument) {
  HttpClient client("no-port-here");
  auto r = client.Get("/healthz", 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpClientTest, SlowHandlerTimesOut) {
  // Declared before the server so they outlive its handler threads.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  HttpServer server;
  server.Route("POST", "/slow", [&](const Request&, Response* resp) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
    resp->body = "late";
    return Status::OK();
  });
  auto port = server.Bind("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  ASSERT_TRUE(server.Start().ok());
  HttpClient client(Addr(*port));
  auto r = client.Post("/slow", "", "text/plain", 200);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().ToString();
  server.Stop();
}

TEST_F(HttpTest, ConcurrentClientsShareOneHttpClient) {
  server_.Route("POST", "/echo", [](const Request& req, Response* resp) {
    resp->body = req.body;
    return Status::OK();
  });
  StartServer();
  std::vector<std::future<bool>> futures;
  for (int t = 0; t < 4; ++t) {
    futures.push_back(std::async(std::launch::async, [this, t] {
      for (int i = 0; i < 50; ++i) {
        std::string body = std::to_string(t) + "-" + std::to_string(i);
        auto r = client_->Post("/echo", body, "text/plain", 5000);
        if (!r.ok() || r->body != body) return false;
      }
      return true;
    }));
  }
  for (auto& f : futures) EXPECT_TRUE(f.get());
}

TEST(HttpServerTest, BindingATakenPortFails) {
  HttpServer first;
  auto port = first.Bind("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  ASSERT_TRUE(first.Start().ok());
  HttpServer second;
  auto again = second.Bind("127.0.0.1", *port);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(again.status().message().find(std::to_string(*port)), std::string::npos);
}

TEST(HttpServerTest, StopIsIdempotentAndPrompt) {
  HttpServer server;
  auto port = server.Bind("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  ASSERT_TRUE(server.Start().ok());
  HttpClient client(Addr(*port));
  ASSERT_TRUE(client.Get("/x", 2000).ok());  // leaves a keep-alive connection open
  server.Stop();
  server.Stop();
  auto r = client.Get("/x", 1000);
  EXPECT_FALSE(r.ok());
}

TEST(ParseAddressTest, AcceptsHostPortAndUrl) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseAddress("http://127.0.0.1:19530/", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 19530);
  ASSERT_TRUE(ParseAddress("localhost:1", &host, &port).ok());
  EXPECT_EQ(host, "localhost");
  EXPECT_FALSE(ParseAddress("localhost", &host, &port).ok());
  EXPECT_FALSE(ParseAddress("h:99999", &host, &port).ok());
  EXPECT_FALSE(ParseAddress("h:12a", &host, &port).ok());
  EXPECT_FALSE(ParseAddress(":80", &host, &port).ok());
}

}  // namespace
}  // namespace vdb::rpc
