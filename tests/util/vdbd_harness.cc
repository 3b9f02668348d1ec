#include "util/vdbd_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "common/env.h"
#include "rpc/http.h"

namespace vdb::test {

namespace {

using nlohmann::json;

// Starts `exe args...` with stdout+stderr to `out_path`; in a new process group when `own_group`.
// Everything the child touches is prepared before fork(), as the parent may have threads.
pid_t Spawn(const std::string& exe, const std::vector<std::string>& args,
            const std::string& out_path, bool own_group) {
  std::vector<std::string> copy = args;
  std::string exe_copy = exe;
  std::vector<char*> argv;
  argv.push_back(exe_copy.data());
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (own_group) ::setpgid(0, 0);
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(exe_copy.c_str(), argv.data());
    _exit(127);
  }
  // Also from the parent, so the group exists before we might signal it.
  if (pid > 0 && own_group) ::setpgid(pid, pid);
  return pid;
}

const json* FindChild(const json& endpoints, const std::string& role, int id) {
  if (!endpoints.is_array()) return nullptr;
  for (const auto& e : endpoints) {
    if (e.value("role", "") == role && e.value("id", 0) == id) return &e;
  }
  return nullptr;
}

bool Healthy(const std::string& address) {
  rpc::HttpClient client(address);
  auto resp = client.Get("/healthz", 2000);
  return resp.ok() && resp->status == 200;
}

}  // namespace

bool WaitFor(const std::function<bool()>& done, int64_t timeout_ms, int64_t poll_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  return done();
}

bool ProcessGone(pid_t pid) {
  if (pid <= 0) return true;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

pid_t SpawnVdbd(const std::string& vdbd_path, const std::vector<std::string>& args,
                const std::string& out_path) {
  return Spawn(vdbd_path, args, out_path, /*own_group=*/true);
}

int WaitExit(pid_t pid, int64_t timeout_ms) {
  int status = 0;
  bool exited = WaitFor([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout_ms);
  if (!exited || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

VdbdHarness::VdbdHarness(VdbdOptions options) : options_(std::move(options)) {
  if (options_.output_path.empty()) options_.output_path = options_.data_dir + ".out";
}

VdbdHarness::~VdbdHarness() { Kill(); }

Status VdbdHarness::Start() {
  if (pid_ > 0) return Status::InvalidArgument("vdbd harness: already running");
  // After a kill, run/endpoints.json still lists the dead children: wait for new pids.
  stale_pids_.clear();
  json stale = Endpoints();
  if (stale.is_array()) {
    for (const auto& e : stale) {
      if (e.is_object()) stale_pids_.push_back(e.value("pid", 0));
    }
  }
  std::vector<std::string> args = {"start", "--data-dir", options_.data_dir, "--port", "0"};
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  pid_ = SpawnVdbd(options_.vdbd_path, args, options_.output_path);
  if (pid_ < 0) {
    pid_ = 0;
    return Status::IOError("vdbd harness: fork failed");
  }
  return WaitUp();
}

Status VdbdHarness::WaitUp() {
  json endpoints;
  auto all_running = [&] {
    endpoints = Endpoints();
    if (!endpoints.is_array() || endpoints.size() != options_.expected_children) return false;
    for (const auto& e : endpoints) {
      if (!e.is_object() || e.value("state", "") != "running") return false;
      pid_t pid = e.value("pid", 0);
      if (ProcessGone(pid) ||
          std::find(stale_pids_.begin(), stale_pids_.end(), pid) != stale_pids_.end()) {
        return false;
      }
    }
    return true;
  };
  if (!WaitFor(all_running, options_.start_timeout_ms, 50)) {
    return Status::Unavailable("vdbd did not start in " +
                               std::to_string(options_.start_timeout_ms) + " ms; endpoints " +
                               endpoints.dump() + "; output:\n" + OutputTail());
  }
  const json* proxy = FindChild(endpoints, "proxy", 1);
  if (proxy == nullptr) return Status::Internal("vdbd harness: no proxy 1 in " + endpoints.dump());
  proxy_address_ = proxy->value("address", "");
  if (!WaitFor([&] { return Healthy(proxy_address_); }, 10000, 50)) {
    return Status::Unavailable("vdbd harness: proxy " + proxy_address_ + " not healthy");
  }
  SetClient(std::make_shared<rpc::HttpClient>(proxy_address_));
  return Status::OK();
}

Status VdbdHarness::Stop(int64_t timeout_ms) {
  if (pid_ <= 0) return Status::InvalidArgument("vdbd harness: not running");
  std::string out_path = options_.output_path + ".stop";
  pid_t stopper = Spawn(options_.vdbd_path, {"stop", "--data-dir", options_.data_dir}, out_path,
                        /*own_group=*/false);
  int stop_rc = WaitExit(stopper, timeout_ms);
  if (stop_rc < 0) {
    ::kill(stopper, SIGKILL);
    ::waitpid(stopper, nullptr, 0);
  }
  int rc = WaitExit(pid_, timeout_ms);
  auto stop_out = ReadFileToString(Env::Default(), out_path);
  if (stop_rc != 0 || rc != 0) {
    std::string text = "vdbd stop exited " + std::to_string(stop_rc) + " (" +
                       (stop_out.ok() ? *stop_out : "") + "), supervisor exited " +
                       std::to_string(rc) + "; output:\n" + OutputTail();
    Kill();
    return Status::Internal(text);
  }
  pid_ = 0;
  SetClient(nullptr);
  return Status::OK();
}

void VdbdHarness::Kill() {
  if (pid_ <= 0) return;
  // Children listed in endpoints.json are in the group too; kill them by pid as well in case a
  // future supervisor moves them to groups of their own.
  json endpoints = Endpoints();
  ::kill(-pid_, SIGKILL);
  if (endpoints.is_array()) {
    for (const auto& e : endpoints) {
      int pid = e.value("pid", 0);
      if (pid > 0) ::kill(pid, SIGKILL);
    }
  }
  ::waitpid(pid_, nullptr, 0);
  pid_ = 0;
  SetClient(nullptr);
}

Result<pid_t> VdbdHarness::KillChild(const std::string& role, int id) {
  pid_t pid = ChildPid(role, id);
  if (pid <= 0)
    return Status::NotFound("vdbd harness: no running " + role + "-" + std::to_string(id));
  if (::kill(pid, SIGKILL) != 0) {
    return Status::IOError("vdbd harness: kill " + std::to_string(pid) + " failed");
  }
  return pid;
}

Status VdbdHarness::WaitRestarted(const std::string& role, int id, pid_t old_pid,
                                  int64_t timeout_ms) {
  json now;
  bool back = WaitFor(
      [&] {
        now = Endpoints();
        const json* e = FindChild(now, role, id);
        return e != nullptr && e->value("state", "") == "running" &&
               e->value("pid", 0) != old_pid && e->value("pid", 0) > 0 &&
               Healthy(e->value("address", ""));
      },
      timeout_ms, 50);
  if (!back) {
    return Status::DeadlineExceeded(role + "-" + std::to_string(id) + " not restarted in " +
                                    std::to_string(timeout_ms) + " ms: " + now.dump());
  }
  return Status::OK();
}

json VdbdHarness::Endpoints() const {
  auto text = ReadFileToString(Env::Default(), options_.data_dir + "/run/endpoints.json");
  if (!text.ok()) return json();
  return json::parse(*text, nullptr, false);
}

pid_t VdbdHarness::ChildPid(const std::string& role, int id) const {
  json endpoints = Endpoints();
  const json* e = FindChild(endpoints, role, id);
  return e == nullptr ? 0 : e->value("pid", 0);
}

std::string VdbdHarness::OutputTail(size_t max_bytes) const {
  auto text = ReadFileToString(Env::Default(), options_.output_path);
  if (!text.ok()) return "(no output)";
  return text->size() <= max_bytes ? *text : text->substr(text->size() - max_bytes);
}

void VdbdHarness::SetClient(std::shared_ptr<rpc::HttpClient> client) {
  std::lock_guard<std::mutex> lock(mu_);
  client_ = std::move(client);
}

Result<json> VdbdHarness::Post(const std::string& path, const json& body, int64_t timeout_ms) {
  std::shared_ptr<rpc::HttpClient> client;
  {
    std::lock_guard<std::mutex> lock(mu_);
    client = client_;
  }
  if (client == nullptr) return Status::Unavailable("vdbd harness: not running");
  auto resp = client->Post(path, body.dump(), "application/json", timeout_ms);
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) {
    return Status::Internal(path + ": HTTP " + std::to_string(resp->status) + ": " +
                            resp->body.substr(0, 500));
  }
  json parsed = json::parse(resp->body, nullptr, false);
  if (parsed.is_discarded()) {
    return Status::Internal(path + ": response is not JSON: " + resp->body.substr(0, 500));
  }
  return parsed;
}

Result<json> VdbdHarness::Call(const std::string& path, const json& body, int64_t timeout_ms) {
  VDB_ASSIGN_OR_RETURN(json envelope, Post(path, body, timeout_ms));
  if (!envelope.is_object() || envelope.value("code", -1) != 0) {
    return Status::Internal(path + ": " + envelope.dump().substr(0, 800));
  }
  return envelope;
}

Result<std::string> VdbdHarness::GetFrom(const std::string& address, const std::string& path,
                                         int64_t timeout_ms) {
  rpc::HttpClient client(address);
  VDB_ASSIGN_OR_RETURN(rpc::Response resp, client.Get(path, timeout_ms));
  if (resp.status != 200) {
    return Status::Internal(address + path + ": HTTP " + std::to_string(resp.status) + ": " +
                            resp.body.substr(0, 500));
  }
  return std::move(resp.body);
}

std::string VectorJson(const float* v, int dim, int digits) {
  std::string out = "[";
  char buf[40];
  for (int k = 0; k < dim; ++k) {
    std::snprintf(buf, sizeof(buf), k ? ",%.*g" : "%.*g", digits, static_cast<double>(v[k]));
    out += buf;
  }
  return out + "]";
}

std::string InsertBody(const std::string& collection, const std::vector<std::string>& vectors,
                       int64_t first_id) {
  std::string body = R"({"collectionName":")" + collection + R"(","data":[)";
  for (size_t r = 0; r < vectors.size(); ++r) {
    if (r > 0) body += ',';
    body += R"({"id":)" + std::to_string(first_id + static_cast<int64_t>(r)) + R"(,"vector":)";
    body += vectors[r];
    body += '}';
  }
  return body + "]}";
}

}  // namespace vdb::test
