// Handlers of the vdbctl subcommands (one <verb>.cc each) and helpers they share.
#pragma once

#include "cmd/vdbctl/command_table.h"
#include "common/status.h"

namespace vdb::ctl {

inline constexpr const char* kVdbVersion = "0.1.0";

int RunVersion(const CommandContext& ctx);
int RunStatus(const CommandContext& ctx);

// Prints "vdbctl: <message>" to stderr and returns the exit code for an error met by the client
// (usage 2, unreachable 3, otherwise 1).
int ReportClientError(const Status& status);

}  // namespace vdb::ctl
