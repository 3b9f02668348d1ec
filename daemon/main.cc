// vdbd: the supervisor (start/stop/status) and, re-executed by it, each node (vdbd node).
// Glue only: option parsing with CLI11 and the --detach fork; the logic lives in vdb_daemon.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common/env.h"
#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/node_main.h"
#include "daemon/role.h"
#include "daemon/supervisor.h"

namespace {

using vdb::Status;
using vdb::daemon::DaemonConfig;

constexpr int kExitUsage = 2;
constexpr int64_t kStopWaitMs = 120000;

std::string SelfExe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("vdbd");
}

int StartForeground(const DaemonConfig& config) {
  vdb::daemon::Supervisor supervisor(config, SelfExe(), vdb::Env::Default());
  if (Status s = supervisor.Init(); !s.ok()) {
    std::fprintf(stderr, "vdbd: %s\n", s.message().c_str());
    return 1;
  }
  return supervisor.Run([&](const Status& s, const std::string& address) {
    if (s.ok()) {
      std::printf("vdbd ready: listening on %s (data dir %s)\n", address.c_str(),
                  config.data_dir.c_str());
      std::fflush(stdout);
    } else if (!s.IsAborted()) {
      std::fprintf(stderr, "vdbd: start-up failed: %s\n", s.message().c_str());
    }
  });
}

void WriteAll(int fd, const std::string& text) {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Forks a daemon (new session, stdio on /dev/null) and returns once it reports readiness over a
// pipe: "ok <address>\n" or "error <reason>\n"; EOF without a report means it died.
int StartDetached(const DaemonConfig& config) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("vdbd: pipe");
    return 1;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("vdbd: fork");
    return 1;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::setsid();
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      if (devnull > 2) ::close(devnull);
    }
    vdb::daemon::Supervisor supervisor(config, SelfExe(), vdb::Env::Default());
    if (Status s = supervisor.Init(); !s.ok()) {
      WriteAll(fds[1], "error " + s.message() + "\n");
      _exit(1);
    }
    int rc = supervisor.Run([&](const Status& s, const std::string& address) {
      WriteAll(fds[1], s.ok() ? "ok " + address + "\n" : "error " + s.message() + "\n");
      ::close(fds[1]);
    });
    _exit(rc);
  }
  ::close(fds[1]);
  std::string report;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) report.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  while (!report.empty() && report.back() == '\n') report.pop_back();
  if (report.rfind("ok ", 0) == 0) {
    std::printf("vdbd ready: listening on %s (data dir %s, pid %d)\n", report.c_str() + 3,
                config.data_dir.c_str(), pid);
    return 0;
  }
  if (report.rfind("error ", 0) == 0) {
    std::fprintf(stderr, "vdbd: %s\n", report.c_str() + 6);
  } else {
    std::fprintf(stderr, "vdbd: the daemon exited during start-up; see %s/logs/vdbd.log\n",
                 config.data_dir.c_str());
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "vdbd: the vdb daemon (supervisor of the coord, streaming, query, data and "
      "proxy processes)"};
  app.require_subcommand(1);

  // start: every option of the table is a flag; only flags actually given override the file.
  auto* start = app.add_subcommand("start", "start vdbd on a data directory");
  const auto& specs = vdb::daemon::DaemonOptions();
  std::vector<std::string> values(specs.size());
  std::vector<CLI::Option*> options;
  for (size_t i = 0; i < specs.size(); ++i) {
    std::string help = std::string(specs[i].help) + " (default " + specs[i].default_value + ")";
    options.push_back(start->add_option(std::string("--") + specs[i].name, values[i], help));
  }
  std::string config_path;
  bool detach = false;
  start->add_option("--config", config_path, "JSON file with option defaults; flags win");
  start->add_flag("--detach", detach, "run in the background; exit once every child is healthy");

  std::string data_dir = "./vdb-data";
  auto* stop = app.add_subcommand("stop", "stop the vdbd running on a data directory");
  stop->add_option("--data-dir", data_dir, "data directory (default ./vdb-data)");
  auto* status = app.add_subcommand("status", "show the processes of a running vdbd");
  status->add_option("--data-dir", data_dir, "data directory (default ./vdb-data)");

  vdb::daemon::NodeOptions node_options;
  auto* node = app.add_subcommand("node", "internal: run one node (started by the supervisor)");
  node->add_option("--role", node_options.role, "coord|streaming|query|data|proxy")->required();
  node->add_option("--id", node_options.id, "node id within its role");
  node->add_option("--data-dir", node_options.data_dir, "data directory");
  node->add_option("--host", node_options.host, "address to listen on");
  node->add_option("--port", node_options.port, "port to listen on (0 = free port)");
  node->add_option("--coord", node_options.coord_address, "coordinator address host:port");
  node->add_option("--parent-pid", node_options.parent_pid, "exit unless started by this pid");
  node->add_option("--log-level", node_options.log_level, "debug|info|warning|error");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }

  vdb::Env* env = vdb::Env::Default();
  if (*node) {
    vdb::daemon::RegisterBuiltinRoles();
    return vdb::daemon::RunNode(node_options);
  }
  if (*stop) return vdb::daemon::StopDaemon(env, data_dir, kStopWaitMs, stdout, stderr);
  if (*status) return vdb::daemon::PrintStatus(env, data_dir, stdout, stderr);

  std::vector<std::pair<std::string, std::string>> flags;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (options[i]->count() > 0) flags.emplace_back(specs[i].name, values[i]);
  }
  auto config = vdb::daemon::BuildConfig(env, config_path, flags);
  if (!config.ok()) {
    std::fprintf(stderr, "vdbd: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  return detach ? StartDetached(*config) : StartForeground(*config);
}
