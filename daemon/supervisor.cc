#include "daemon/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "common/env.h"
#include "common/logging.h"
#include "daemon/backoff.h"
#include "daemon/node_main.h"
#include "daemon/role.h"
#include "rpc/http.h"

namespace vdb::daemon {

namespace {

constexpr uint64_t kTickMs = 20;
constexpr int64_t kHealthTimeoutMs = 300;
// A child that exits this many times in a row before ever answering /healthz fails start-up.
constexpr int kMaxStartAttempts = 3;

enum class ChildState { kPending, kStarting, kRunning, kBackoff, kStopping, kStopped };

const char* StateName(ChildState s) {
  switch (s) {
    case ChildState::kPending:
      return "pending";
    case ChildState::kStarting:
      return "starting";
    case ChildState::kRunning:
      return "running";
    case ChildState::kBackoff:
      return "backoff";
    case ChildState::kStopping:
      return "stopping";
    case ChildState::kStopped:
      return "stopped";
  }
  return "unknown";
}

enum class Phase { kStarting, kRunning, kStopping };

}  // namespace

struct Child {
  Supervisor::Impl* owner = nullptr;
  std::string role;
  int id = 0;
  int tier = 0;
  int fixed_port = -1;  // >= 0: always bind this port (public proxy ports)
  int last_port = 0;    // port of the last healthy run, reused so addresses stay stable
  int pid = 0;
  uv_process_t* proc = nullptr;
  std::string address;
  ChildState state = ChildState::kPending;
  int restarts = 0;
  int failures = 0;  // consecutive unexpected exits
  bool ever_healthy = false;
  uint64_t started_us = 0;
  uint64_t next_start_us = 0;
  std::string name() const { return NodeName(role, id); }
};

struct Supervisor::Impl {
  DaemonConfig config;
  std::string exe_path;
  Env* env = nullptr;
  std::unique_ptr<FileLock> lock;
  std::string run_dir;

  uv_loop_t loop;
  uv_signal_t sigterm;
  uv_signal_t sigint;
  uv_timer_t tick;
  std::vector<std::unique_ptr<Child>> children;
  int max_tier = 0;

  Phase phase = Phase::kStarting;
  uint64_t start_us = 0;
  ReadyCallback on_ready;
  bool ready_reported = false;
  int exit_code = 0;
  int stop_tier = -1;
  uint64_t stop_deadline_us = 0;
  bool stop_killed = false;
  bool finished = false;
  bool endpoints_dirty = true;

  uint64_t NowUs() { return env->MonotonicMicros(); }
  std::string RunPath(const std::string& name) { return JoinPath(run_dir, name); }

  void BuildChildren();
  Status Spawn(Child& c);
  void OnChildExit(Child& c, int64_t exit_status, int term_signal);
  void Tick();
  void CheckHealth(Child& c);
  void AdvanceStartup();
  void Fail(const std::string& reason);
  void Report(const Status& status, const std::string& address);
  void BeginStop();
  void StopTier(int tier);
  void AdvanceStop();
  void Finish();
  void WriteEndpoints();
  bool TierRunning(int tier);
};

namespace {

void OnProcessClosed(uv_handle_t* handle) { delete reinterpret_cast<uv_process_t*>(handle); }

void OnProcessExit(uv_process_t* proc, int64_t exit_status, int term_signal) {
  auto* child = static_cast<Child*>(proc->data);
  child->owner->OnChildExit(*child, exit_status, term_signal);
}

void OnSignal(uv_signal_t* handle, int signum) {
  auto* impl = static_cast<Supervisor::Impl*>(handle->data);
  VDB_LOG(INFO) << "vdbd: signal " << signum << ", stopping";
  impl->BeginStop();
}

void OnTick(uv_timer_t* timer) { static_cast<Supervisor::Impl*>(timer->data)->Tick(); }

}  // namespace

void Supervisor::Impl::BuildChildren() {
  struct TierSpec {
    const char* role;
    int64_t count;
  };
  const TierSpec tiers[] = {{"coord", 1},
                            {"streaming", config.streaming_nodes},
                            {"query", config.query_nodes},
                            {"data", config.data_nodes},
                            {"proxy", config.proxies}};
  int tier = 0;
  for (const auto& t : tiers) {
    for (int id = 1; id <= t.count; ++id) {
      auto c = std::make_unique<Child>();
      c->owner = this;
      c->role = t.role;
      c->id = id;
      c->tier = tier;
      if (c->role == "proxy" && config.port != 0) c->fixed_port = int(config.port) + id - 1;
      children.push_back(std::move(c));
    }
    max_tier = tier++;
  }
}

Status Supervisor::Impl::Spawn(Child& c) {
  Status removed = env->RemoveFile(NodeAddressPath(config.data_dir, c.role, c.id));
  if (!removed.ok() && !removed.IsNotFound()) return removed;
  const bool is_proxy = c.role == "proxy";
  int port = c.fixed_port >= 0 ? c.fixed_port : c.last_port;
  std::string coord;
  for (const auto& other : children) {
    if (other->role == "coord") coord = other->address;
  }
  std::vector<std::string> args = {
      exe_path,       "node",
      "--role",       c.role,
      "--id",         std::to_string(c.id),
      "--data-dir",   config.data_dir,
      "--host",       is_proxy ? config.host : std::string("127.0.0.1"),
      "--port",       std::to_string(port),
      "--parent-pid", std::to_string(::getpid()),
      "--log-level",  config.log_level};
  if (c.role != "coord") {
    args.push_back("--coord");
    args.push_back(coord);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The child's stdout/stderr go to its log file; the descriptor is only handed to the child,
  // which is why this bypasses Env.
  std::string log_path = NodeLogPath(config.data_dir, c.role, c.id);
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open " + log_path, errno);
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = fd;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = fd;
  uv_process_options_t options = {};
  options.exit_cb = OnProcessExit;
  options.file = exe_path.c_str();
  options.args = argv.data();
  options.stdio_count = 3;
  options.stdio = stdio;
  auto* proc = new uv_process_t();
  proc->data = &c;
  int rc = uv_spawn(&loop, proc, &options);
  ::close(fd);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(proc), OnProcessClosed);
    return Status::IOError("spawn " + c.name() + " (" + exe_path + "): " + uv_strerror(rc));
  }
  c.proc = proc;
  c.pid = proc->pid;
  c.state = ChildState::kStarting;
  c.started_us = NowUs();
  c.address.clear();
  endpoints_dirty = true;
  VDB_LOG(INFO) << "started " << c.name() << " (pid " << c.pid << ")";
  return Status::OK();
}

void Supervisor::Impl::OnChildExit(Child& c, int64_t exit_status, int term_signal) {
  std::string how = term_signal != 0 ? "killed by signal " + std::to_string(term_signal)
                                     : "exited with status " + std::to_string(exit_status);
  uv_close(reinterpret_cast<uv_handle_t*>(c.proc), OnProcessClosed);
  c.proc = nullptr;
  int pid = c.pid;
  c.pid = 0;
  endpoints_dirty = true;
  if (phase == Phase::kStopping) {
    VDB_LOG(INFO) << c.name() << " (pid " << pid << ") " << how;
    c.state = ChildState::kStopped;
    AdvanceStop();
    return;
  }
  ++c.failures;
  std::string log_hint = "see " + NodeLogPath(config.data_dir, c.role, c.id);
  if (term_signal == 0 && exit_status == kNodeExitBindFailed) {
    if (c.fixed_port >= 0) {
      Fail(c.name() + " cannot listen on " + config.host + ":" + std::to_string(c.fixed_port) +
           " (port in use?); " + log_hint);
      c.state = ChildState::kStopped;
      return;
    }
    c.last_port = 0;  // our old port was taken meanwhile: pick a new one
  }
  if (!c.ever_healthy && c.failures >= kMaxStartAttempts) {
    Fail(c.name() + " " + how + " " + std::to_string(c.failures) +
         " times before becoming healthy; " + log_hint);
    c.state = ChildState::kStopped;
    return;
  }
  int64_t delay_ms = RestartBackoffMs(c.failures, config.restart_backoff_initial_ms,
                                      config.restart_backoff_max_ms);
  VDB_LOG(WARNING) << c.name() << " (pid " << pid << ") " << how << "; restarting in " << delay_ms
                   << " ms";
  c.state = ChildState::kBackoff;
  c.next_start_us = NowUs() + uint64_t(delay_ms) * 1000;
}

void Supervisor::Impl::CheckHealth(Child& c) {
  std::string addr_path = NodeAddressPath(config.data_dir, c.role, c.id);
  if (!env->FileExists(addr_path)) return;
  auto text = ReadFileToString(env, addr_path);
  if (!text.ok()) return;
  std::string address = *text;
  while (!address.empty() && (address.back() == '\n' || address.back() == ' ')) address.pop_back();
  rpc::HttpClient client(address);
  auto resp = client.Get("/healthz", kHealthTimeoutMs);
  if (!resp.ok() || resp->status != 200) return;
  c.address = address;
  c.state = ChildState::kRunning;
  c.ever_healthy = true;
  std::string host;
  int port = 0;
  if (rpc::ParseAddress(address, &host, &port).ok()) c.last_port = port;
  endpoints_dirty = true;
  VDB_LOG(INFO) << c.name() << " (pid " << c.pid << ") healthy at " << address;
}

bool Supervisor::Impl::TierRunning(int tier) {
  for (const auto& c : children) {
    if (c->tier == tier && c->state != ChildState::kRunning) return false;
  }
  return true;
}

void Supervisor::Impl::AdvanceStartup() {
  for (int tier = 0; tier <= max_tier; ++tier) {
    bool pending = false;
    for (auto& c : children) {
      if (c->tier == tier && c->state == ChildState::kPending) {
        pending = true;
        if (Status s = Spawn(*c); !s.ok()) {
          Fail(s.ToString());
          return;
        }
      }
    }
    if (pending || !TierRunning(tier)) return;
  }
  phase = Phase::kRunning;
  std::string address;
  for (const auto& c : children) {
    if (c->role == "proxy" && c->id == 1) address = c->address;
  }
  VDB_LOG(INFO) << "vdbd ready; proxy at " << address;
  // Whoever learns that vdbd is ready (a detaching parent, a test) may read run/endpoints.json
  // at once: write it first.
  WriteEndpoints();
  Report(Status::OK(), address);
}

void Supervisor::Impl::Report(const Status& status, const std::string& address) {
  if (ready_reported) return;
  ready_reported = true;
  if (on_ready) on_ready(status, address);
}

void Supervisor::Impl::Fail(const std::string& reason) {
  VDB_LOG(ERROR) << "vdbd start-up failed: " << reason;
  exit_code = 1;
  Report(Status::Unavailable(reason), "");
  BeginStop();
}

void Supervisor::Impl::Tick() {
  uint64_t now = NowUs();
  if (phase != Phase::kStopping) {
    for (auto& c : children) {
      if (c->state == ChildState::kBackoff && now >= c->next_start_us) {
        ++c->restarts;
        if (Status s = Spawn(*c); !s.ok()) {
          VDB_LOG(ERROR) << s.ToString();
          c->next_start_us = now + uint64_t(config.restart_backoff_max_ms) * 1000;
        }
      }
    }
    for (auto& c : children) {
      if (c->state == ChildState::kStarting) CheckHealth(*c);
      if (c->state == ChildState::kRunning && c->failures > 0 &&
          now - c->started_us >= uint64_t(config.stable_run_ms) * 1000) {
        c->failures = 0;
      }
    }
    if (phase == Phase::kStarting) {
      AdvanceStartup();
      if (phase == Phase::kStarting &&
          now - start_us > uint64_t(config.startup_timeout_ms) * 1000) {
        std::string waiting;
        for (const auto& c : children) {
          if (c->state != ChildState::kRunning && c->state != ChildState::kPending) {
            waiting += (waiting.empty() ? "" : ", ") + c->name();
          }
        }
        Fail("not healthy after " + std::to_string(config.startup_timeout_ms) + " ms: " + waiting +
             "; see " + JoinPath(config.data_dir, "logs"));
      }
    }
  } else if (!stop_killed && now >= stop_deadline_us && stop_tier >= 0) {
    stop_killed = true;
    for (auto& c : children) {
      if (c->tier == stop_tier && c->proc != nullptr) {
        VDB_LOG(WARNING) << c->name() << " (pid " << c->pid << ") ignored SIGTERM; SIGKILL";
        uv_process_kill(c->proc, SIGKILL);
      }
    }
  }
  if (endpoints_dirty && !finished) WriteEndpoints();
}

void Supervisor::Impl::BeginStop() {
  if (phase == Phase::kStopping) return;
  phase = Phase::kStopping;
  if (!ready_reported) Report(Status::Aborted("vdbd was stopped during start-up"), "");
  stop_tier = max_tier;
  StopTier(stop_tier);
  AdvanceStop();
}

void Supervisor::Impl::StopTier(int tier) {
  stop_deadline_us = NowUs() + uint64_t(config.stop_timeout_ms) * 1000;
  stop_killed = false;
  for (auto& c : children) {
    if (c->tier != tier) continue;
    if (c->proc != nullptr) {
      uv_process_kill(c->proc, SIGTERM);
      c->state = ChildState::kStopping;
    } else {
      c->state = ChildState::kStopped;
    }
  }
  endpoints_dirty = true;
}

void Supervisor::Impl::AdvanceStop() {
  while (stop_tier >= 0) {
    bool alive = false;
    for (const auto& c : children) {
      if (c->tier == stop_tier && c->proc != nullptr) alive = true;
    }
    if (alive) return;
    if (--stop_tier >= 0) StopTier(stop_tier);
  }
  Finish();
}

void Supervisor::Impl::Finish() {
  if (finished) return;
  finished = true;
  for (const auto& c : children) {
    Status s = env->RemoveFile(NodeAddressPath(config.data_dir, c->role, c->id));
    (void)s;  // absent is fine
  }
  Status s1 = env->RemoveFile(RunPath("endpoints.json"));
  Status s2 = env->RemoveFile(RunPath("vdbd.pid"));
  (void)s1;
  (void)s2;
  uv_timer_stop(&tick);
  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
  VDB_LOG(INFO) << "vdbd stopped";
}

void Supervisor::Impl::WriteEndpoints() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : children) {
    out.push_back({{"role", c->role},
                   {"id", c->id},
                   {"pid", c->pid},
                   {"address", c->address},
                   {"state", StateName(c->state)},
                   {"restarts", c->restarts}});
  }
  Status s = WriteFileAtomic(env, RunPath("endpoints.json"), out.dump(2) + "\n");
  if (!s.ok()) {
    VDB_LOG(ERROR) << "cannot write endpoints: " << s.ToString();
    return;
  }
  endpoints_dirty = false;
}

Supervisor::Supervisor(DaemonConfig config, std::string exe_path, Env* env)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->exe_path = std::move(exe_path);
  impl_->env = env;
  impl_->run_dir = JoinPath(impl_->config.data_dir, "run");
}

Supervisor::~Supervisor() = default;

Status Supervisor::Init() {
  Impl& m = *impl_;
  for (const char* sub : {"meta", "wal", "objects", "logs", "run"}) {
    VDB_RETURN_IF_ERROR(m.env->CreateDirs(JoinPath(m.config.data_dir, sub)));
  }
  std::string lock_path = m.RunPath("LOCK");
  auto lock = m.env->LockFile(lock_path);
  if (!lock.ok()) {
    return Status(
        lock.status().code(),
        "data dir " + m.config.data_dir + " is in use by another vdbd: " + lock.status().message());
  }
  m.lock = std::move(*lock);
  std::string pid_text = std::to_string(::getpid()) + "\n";
  {
    // Rewrites the locked file in place (same inode), so the lock stays ours and a second
    // vdbd's error names our pid.
    VDB_ASSIGN_OR_RETURN(auto file, m.env->NewWritableFile(lock_path));
    VDB_RETURN_IF_ERROR(file->Append(pid_text));
    VDB_RETURN_IF_ERROR(file->Close());
  }
  VDB_RETURN_IF_ERROR(WriteFileAtomic(m.env, m.RunPath("vdbd.pid"), pid_text));
  Status removed = m.env->RemoveFile(m.RunPath("endpoints.json"));
  (void)removed;
  VDB_RETURN_IF_ERROR(SetLogFile(JoinPath(JoinPath(m.config.data_dir, "logs"), "vdbd.log")));
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(m.config.log_level, &level);
  SetLogLevel(level);
  m.BuildChildren();
  return Status::OK();
}

int Supervisor::Run(ReadyCallback on_ready) {
  Impl& m = *impl_;
  VDB_CHECK(m.lock != nullptr);
  m.on_ready = std::move(on_ready);
  ::signal(SIGPIPE, SIG_IGN);
  uv_loop_init(&m.loop);
  uv_signal_init(&m.loop, &m.sigterm);
  uv_signal_init(&m.loop, &m.sigint);
  uv_timer_init(&m.loop, &m.tick);
  m.sigterm.data = &m;
  m.sigint.data = &m;
  m.tick.data = &m;
  uv_signal_start(&m.sigterm, OnSignal, SIGTERM);
  uv_signal_start(&m.sigint, OnSignal, SIGINT);
  uv_timer_start(&m.tick, OnTick, 0, kTickMs);
  m.start_us = m.NowUs();
  VDB_LOG(INFO) << "vdbd (pid " << ::getpid() << ") starting in " << m.config.data_dir;
  uv_run(&m.loop, UV_RUN_DEFAULT);
  uv_loop_close(&m.loop);
  // run/LOCK stays held until this object or the process goes, so `vdbd stop` cannot see the
  // data dir free while we are still shutting down.
  return m.exit_code;
}

}  // namespace vdb::daemon
