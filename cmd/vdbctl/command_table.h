// The table of vdbctl subcommands: name, summary, options and handler. Help text, the man page
// and the shell completions are generated from it, so a command exists in one place only.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace vdb::ctl {

// Global options, shared by every subcommand (DESIGN "Interfaces").
struct GlobalOptions {
  std::string addr = "http://127.0.0.1:19530";  // --addr, env VDB_ADDR
  std::string token;                            // --token, env VDB_TOKEN
  std::string db = "default";                   // --db
  std::string output;                           // table|json|jsonl|csv; "" = by terminal
  bool quiet = false;
};

struct OptionSpec {
  std::string flag;   // "--limit"
  std::string value;  // "K" (empty for a switch)
  std::string help;
};

struct CommandContext {
  GlobalOptions global;
  std::vector<std::string> args;               // positional arguments after the command words
  std::map<std::string, std::string> options;  // "--limit" -> "10"; switches map to "true"
};

// The process exit code (0 ok, 1 server error, 2 usage, 3 unreachable) is the handler's return.
using CommandHandler = std::function<int(const CommandContext& ctx)>;

struct CommandSpec {
  std::string name;     // "status", "collection list"
  std::string args;     // synopsis of positional arguments, e.g. "NAME"
  std::string summary;  // one line
  std::vector<OptionSpec> options;
  CommandHandler handler;
};

const std::vector<CommandSpec>& Commands();
const std::vector<OptionSpec>& GlobalOptionSpecs();

// Generated documents (vdbctl generate man|bash|zsh|fish).
std::string GenerateManPage();
std::string GenerateBashCompletion();
std::string GenerateZshCompletion();
std::string GenerateFishCompletion();

}  // namespace vdb::ctl
