// vdbd node: runs one role in this process until SIGTERM/SIGINT. Serves GET /healthz and
// GET /metrics, then publishes its address in DATA/run/<role>-<id>.addr ("host:port\n", written
// atomically) once it answers requests; the supervisor waits for that file and /healthz.
#pragma once

#include <string>

namespace vdb::daemon {

struct NodeOptions {
  std::string role;
  int id = 1;
  std::string data_dir = "./vdb-data";
  std::string host = "127.0.0.1";
  int port = 0;               // 0 = pick a free port
  std::string coord_address;  // empty for the coordinator
  int parent_pid = 0;         // exit at once if our parent is not this process (0 = no check)
  std::string log_level = "info";
};

// Exit codes of vdbd node.
inline constexpr int kNodeExitOk = 0;
inline constexpr int kNodeExitFailed = 1;
inline constexpr int kNodeExitUsage = 2;
inline constexpr int kNodeExitBindFailed = 75;  // port taken: the supervisor retries elsewhere

// "<role>-<id>", used for log and address file names.
std::string NodeName(const std::string& role, int id);
std::string NodeAddressPath(const std::string& data_dir, const std::string& role, int id);
std::string NodeLogPath(const std::string& data_dir, const std::string& role, int id);

// Runs the node; returns the process exit code. Blocks SIGTERM/SIGINT in the calling thread
// (do this before any other thread exists) and waits for them with sigwait.
int RunNode(const NodeOptions& options);

}  // namespace vdb::daemon
