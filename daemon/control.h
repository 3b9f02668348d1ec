// vdbd stop / vdbd status: act on a supervisor through its data directory (run/LOCK,
// run/vdbd.pid, run/endpoints.json). They print to the given streams and return an exit code.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace vdb {
class Env;
}

namespace vdb::daemon {

// Exit codes shared by stop and status.
inline constexpr int kControlOk = 0;
inline constexpr int kControlFailed = 1;      // e.g. stop timed out, a child is unhealthy
inline constexpr int kControlNotRunning = 3;  // no vdbd holds the data dir

// True when `pid` names a process that has not exited (zombies count as exited).
bool ProcessAlive(int pid);

// True when a live process holds DATA/run/LOCK; `pid` gets the supervisor's pid (0 if unknown).
bool SupervisorRunning(Env* env, const std::string& data_dir, int* pid);

// Sends SIGTERM to the supervisor and waits until it has exited and released the data dir.
int StopDaemon(Env* env, const std::string& data_dir, int64_t timeout_ms, FILE* out, FILE* err);

// Prints one line per child (role, id, pid, address, state, restarts, health).
int PrintStatus(Env* env, const std::string& data_dir, FILE* out, FILE* err);

}  // namespace vdb::daemon
