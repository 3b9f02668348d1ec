#include "daemon/control.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/env.h"
#include "rpc/http.h"

namespace vdb::daemon {

namespace {

std::string RunPath(const std::string& data_dir, const std::string& name) {
  return JoinPath(JoinPath(data_dir, "run"), name);
}

int ReadPid(Env* env, const std::string& data_dir) {
  auto text = ReadFileToString(env, RunPath(data_dir, "vdbd.pid"));
  if (!text.ok()) return 0;
  return std::atoi(text->c_str());
}

}  // namespace

bool ProcessAlive(int pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A zombie has exited; only its parent's wait is missing (pid 1 in a container may never reap).
  // /proc files report size 0, so read directly rather than through Env::ReadFileToString.
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT;
  char buf[512];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  std::string stat(buf, n > 0 ? static_cast<size_t>(n) : 0);
  size_t paren = stat.rfind(')');
  return !(paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z');
}

bool SupervisorRunning(Env* env, const std::string& data_dir, int* pid) {
  *pid = 0;
  std::string lock_path = RunPath(data_dir, "LOCK");
  if (!env->FileExists(lock_path)) return false;
  // Probing by taking the lock: if we get it, nobody holds the data dir (released at once).
  auto lock = env->LockFile(lock_path);
  if (lock.ok()) return false;
  *pid = ReadPid(env, data_dir);
  return lock.status().code() == StatusCode::kUnavailable;
}

int StopDaemon(Env* env, const std::string& data_dir, int64_t timeout_ms, FILE* out, FILE* err) {
  int pid = 0;
  if (!SupervisorRunning(env, data_dir, &pid)) {
    std::fprintf(err, "vdbd stop: vdbd is not running in %s\n", data_dir.c_str());
    return kControlNotRunning;
  }
  if (pid <= 0) {
    std::fprintf(err, "vdbd stop: %s is locked but run/vdbd.pid is missing or unreadable\n",
                 data_dir.c_str());
    return kControlFailed;
  }
  if (::kill(pid, SIGTERM) != 0) {
    std::fprintf(err, "vdbd stop: cannot signal pid %d: %s\n", pid, std::strerror(errno));
    return kControlFailed;
  }
  uint64_t deadline = env->MonotonicMicros() + uint64_t(timeout_ms) * 1000;
  int holder = 0;
  while (SupervisorRunning(env, data_dir, &holder) || ProcessAlive(pid)) {
    if (env->MonotonicMicros() > deadline) {
      std::fprintf(err, "vdbd stop: vdbd (pid %d) still running after %lld ms\n", pid,
                   static_cast<long long>(timeout_ms));
      return kControlFailed;
    }
    env->SleepForMicros(20000);
  }
  std::fprintf(out, "vdbd (pid %d) stopped\n", pid);
  return kControlOk;
}

int PrintStatus(Env* env, const std::string& data_dir, FILE* out, FILE* err) {
  int pid = 0;
  if (!SupervisorRunning(env, data_dir, &pid)) {
    std::fprintf(err, "vdbd status: vdbd is not running in %s\n", data_dir.c_str());
    return kControlNotRunning;
  }
  auto text = ReadFileToString(env, RunPath(data_dir, "endpoints.json"));
  nlohmann::json endpoints =
      text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  std::fprintf(out, "vdbd pid %d, data dir %s\n", pid, data_dir.c_str());
  if (!endpoints.is_array()) {
    std::fprintf(out, "(no endpoints yet: starting)\n");
    return kControlFailed;
  }
  std::fprintf(out, "%-10s %-4s %-8s %-22s %-9s %-8s %s\n", "ROLE", "ID", "PID", "ADDRESS", "STATE",
               "RESTARTS", "HEALTH");
  bool all_healthy = true;
  for (const auto& e : endpoints) {
    std::string role = e.value("role", "?");
    std::string address = e.value("address", "");
    std::string health = "-";
    if (!address.empty()) {
      rpc::HttpClient client(address);
      auto resp = client.Get("/healthz", 1000);
      health = resp.ok() && resp->status == 200 ? "ok" : "unreachable";
    }
    if (health != "ok") all_healthy = false;
    std::fprintf(out, "%-10s %-4d %-8d %-22s %-9s %-8d %s\n", role.c_str(), e.value("id", 0),
                 e.value("pid", 0), address.empty() ? "-" : address.c_str(),
                 e.value("state", "?").c_str(), e.value("restarts", 0), health.c_str());
  }
  return all_healthy ? kControlOk : kControlFailed;
}

}  // namespace vdb::daemon
