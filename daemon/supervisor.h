// The vdbd supervisor: owns a data directory (exclusive lock on run/LOCK), starts one process per
// node in tiers (coord, streaming, query, data, proxy), each only after the previous tier answers
// /healthz, restarts children that die with capped exponential backoff, and on SIGTERM/SIGINT
// stops them in reverse order. One libuv loop on the calling thread; each child is a passive
// record updated by loop callbacks and a periodic tick. Not thread-safe: one thread drives it.
//
// Files under DATA/run/: LOCK (flock; holds our pid), vdbd.pid, endpoints.json (JSON array of
// {role,id,pid,address,state,restarts}, rewritten atomically on every change) and
// <role>-<id>.addr, written by each child once it serves (see node_main.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "daemon/config.h"

namespace vdb {
class Env;
class FileLock;
}  // namespace vdb

namespace vdb::daemon {

// Called once: OK with the public address ("host:port" of proxy 1) when every child is healthy,
// or the reason start-up failed.
using ReadyCallback = std::function<void(const Status& status, const std::string& address)>;

class Supervisor {
 public:
  // `exe_path` is the vdbd binary children run as `vdbd node ...`. `env` must outlive this.
  Supervisor(DaemonConfig config, std::string exe_path, Env* env);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Creates the data directory layout, takes run/LOCK (kUnavailable naming the data dir and the
  // holder's pid when another vdbd has it), writes run/vdbd.pid and opens logs/vdbd.log.
  Status Init();
  // Runs until stopped by SIGTERM/SIGINT (returns 0) or until start-up fails (returns 1, after
  // stopping whatever had started). REQUIRES: Init() succeeded.
  int Run(ReadyCallback on_ready);

  // Implementation detail; named here only so the libuv callbacks in supervisor.cc can reach it.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vdb::daemon
