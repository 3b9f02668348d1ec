#include "daemon/role.h"

#include <algorithm>
#include <map>

#include "common/check.h"

namespace vdb::daemon {

namespace {

// Serves only what vdbd node itself provides (/healthz, /metrics).
class HealthOnlyRole final : public Role {
 public:
  Status Start(NodeContext&) override { return Status::OK(); }
  void Stop() override {}
};

std::map<std::string, RoleFactory>& Factories() {
  static auto* factories = new std::map<std::string, RoleFactory>();
  return *factories;
}

}  // namespace

const std::vector<std::string>& RoleNames() {
  static const std::vector<std::string> kNames = {"coord", "streaming", "query", "data", "proxy"};
  return kNames;
}

void RegisterRole(const std::string& name, RoleFactory factory) {
  const auto& names = RoleNames();
  VDB_CHECK(std::find(names.begin(), names.end(), name) != names.end());
  Factories()[name] = std::move(factory);
}

std::unique_ptr<Role> CreateRole(const std::string& name) {
  const auto& names = RoleNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) return nullptr;
  auto it = Factories().find(name);
  if (it != Factories().end() && it->second) return it->second();
  return std::make_unique<HealthOnlyRole>();
}

}  // namespace vdb::daemon
