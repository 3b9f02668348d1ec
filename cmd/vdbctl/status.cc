// vdbctl status and vdbctl version.
#include <cstdio>
#include <string>

#include "cmd/vdbctl/commands.h"
#include "rpc/http.h"
#include "rpc/status_map.h"

namespace vdb::ctl {

int RunVersion(const CommandContext& ctx) {
  std::printf("vdbctl %s\n", kVdbVersion);
  return 0;
}

int RunStatus(const CommandContext& ctx) {
  rpc::HttpClient client(ctx.global.addr);
  auto response = client.Get("/healthz", 5000);
  if (!response.ok()) {
    return ReportClientError(response.status().WithContext("vdbctl status"));
  }
  if (response->status != 200) {
    std::fprintf(stderr, "vdbctl status: %s answered HTTP %d: %s\n", ctx.global.addr.c_str(),
                 response->status, response->body.c_str());
    return static_cast<int>(rpc::ExitCode::kServerError);
  }
  if (!ctx.global.quiet) {
    std::printf("%s: %s\n", ctx.global.addr.c_str(), response->body.c_str());
  }
  return 0;
}

}  // namespace vdb::ctl
