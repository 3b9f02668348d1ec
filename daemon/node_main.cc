#include "daemon/node_main.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/logging.h"
#include "daemon/role.h"
#include "rpc/http.h"

namespace vdb::daemon {

std::string NodeName(const std::string& role, int id) { return role + "-" + std::to_string(id); }

std::string NodeAddressPath(const std::string& data_dir, const std::string& role, int id) {
  return JoinPath(JoinPath(data_dir, "run"), NodeName(role, id) + ".addr");
}

std::string NodeLogPath(const std::string& data_dir, const std::string& role, int id) {
  return JoinPath(JoinPath(data_dir, "logs"), NodeName(role, id) + ".log");
}

namespace {

std::string Labels(const NodeOptions& o) {
  return "role=\"" + o.role + "\",id=\"" + std::to_string(o.id) + "\"";
}

std::string RenderMetrics(const NodeOptions& o, double uptime_s, rpc::HttpServer* server,
                          Role* role) {
  std::string out;
  out += "# HELP vdb_process_uptime_seconds Seconds since this process started.\n";
  out += "# TYPE vdb_process_uptime_seconds gauge\n";
  out += "vdb_process_uptime_seconds{" + Labels(o) + "} " + std::to_string(uptime_s) + "\n";
  out += "# HELP vdb_http_requests_total HTTP requests received, by route.\n";
  out += "# TYPE vdb_http_requests_total counter\n";
  for (const auto& [route, count] : server->RequestCounts()) {
    out += "vdb_http_requests_total{" + Labels(o) + ",route=\"" + route + "\"} " +
           std::to_string(count) + "\n";
  }
  role->AppendMetrics(&out);
  return out;
}

}  // namespace

int RunNode(const NodeOptions& options) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // inherited by every thread made below
  ::signal(SIGPIPE, SIG_IGN);
  // Die with the supervisor rather than linger as an orphan holding ports.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (options.parent_pid != 0 && ::getppid() != options.parent_pid) return kNodeExitFailed;

  Env* env = Env::Default();
  const std::string name = NodeName(options.role, options.id);
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(options.log_level, &level);
  SetLogLevel(level);
  if (Status s = SetLogFile(NodeLogPath(options.data_dir, options.role, options.id)); !s.ok()) {
    std::fprintf(stderr, "vdbd node %s: %s\n", name.c_str(), s.ToString().c_str());
    return kNodeExitFailed;
  }
  std::unique_ptr<Role> role = CreateRole(options.role);
  if (role == nullptr) {
    VDB_LOG(ERROR) << "unknown role '" << options.role << "'";
    return kNodeExitUsage;
  }
  auto started = std::chrono::steady_clock::now();
  rpc::HttpServer server;
  auto port = server.Bind(options.host, options.port);
  if (!port.ok()) {
    VDB_LOG(ERROR) << name << ": " << port.status().ToString();
    return kNodeExitBindFailed;
  }
  NodeContext ctx;
  ctx.role = options.role;
  ctx.id = options.id;
  ctx.data_dir = options.data_dir;
  ctx.coord_address = options.coord_address;
  ctx.address = options.host + ":" + std::to_string(*port);
  ctx.env = env;
  ctx.server = &server;

  server.Route("GET", "/healthz", [&](const rpc::Request&, rpc::Response* resp) {
    nlohmann::json body = {
        {"status", "ok"}, {"role", options.role}, {"id", options.id}, {"pid", ::getpid()}};
    resp->body = body.dump();
    return Status::OK();
  });
  server.Route("GET", "/metrics", [&](const rpc::Request&, rpc::Response* resp) {
    double uptime_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    resp->content_type = "text/plain; version=0.0.4";
    resp->body = RenderMetrics(options, uptime_s, &server, role.get());
    return Status::OK();
  });
  if (Status s = role->Start(ctx); !s.ok()) {
    VDB_LOG(ERROR) << name << ": start failed: " << s.ToString();
    return kNodeExitFailed;
  }
  if (Status s = server.Start(); !s.ok()) {
    VDB_LOG(ERROR) << name << ": " << s.ToString();
    role->Stop();
    return kNodeExitFailed;
  }
  std::string addr_path = NodeAddressPath(options.data_dir, options.role, options.id);
  if (Status s = WriteFileAtomic(env, addr_path, ctx.address + "\n"); !s.ok()) {
    VDB_LOG(ERROR) << name << ": cannot publish address: " << s.ToString();
    role->Stop();
    server.Stop();
    return kNodeExitFailed;
  }
  VDB_LOG(INFO) << name << " (pid " << ::getpid() << ") serving on " << ctx.address;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  VDB_LOG(INFO) << name << ": signal " << sig << ", stopping";
  role->Stop();
  server.Stop();
  VDB_LOG(INFO) << name << ": stopped";
  return kNodeExitOk;
}

}  // namespace vdb::daemon
