#include "providers/registry/registry.hpp"

#include "pkg/core/strings.hpp"
#include "providers/libvirt/provider.hpp"
#include "providers/oci/provider.hpp"
#include "providers/oxide/provider.hpp"

#include <algorithm>

namespace ocne::providers {

const std::vector<const CloudProvider*>&
all()
{
  // One line per cloud, in the order `cluster start --provider` lists them.
  static const std::vector<const CloudProvider*> clouds = {
    &libvirt::provider(),
    &oci::provider(),
    &oxide::provider(),
  };
  return clouds;
}

const CloudProvider*
find(std::string_view name)
{
  for (const auto* cloud : all()) {
    if (cloud->name() == name) {
      return cloud;
    }
  }
  return nullptr;
}

Result<const CloudProvider*>
get(std::string_view name)
{
  if (const auto* cloud = find(name)) {
    return cloud;
  }
  return make_error(ErrorKind::invalid_input,
                    "provider {} is not supported (supported: {})",
                    str::quote(name),
                    str::join(names(), ", "));
}

std::vector<const config::ProviderRules*>
config_rules()
{
  return { all().begin(), all().end() };
}

std::vector<std::string>
names()
{
  std::vector<std::string> out;
  for (const auto* cloud : all()) {
    out.emplace_back(cloud->name());
  }
  return out;
}

std::vector<std::string>
names_by_help_rank()
{
  auto clouds = all();
  std::stable_sort(clouds.begin(), clouds.end(), [](const CloudProvider* a, const CloudProvider* b) {
    return a->help_rank() < b->help_rank();
  });
  std::vector<std::string> out;
  for (const auto* cloud : clouds) {
    out.emplace_back(cloud->name());
  }
  return out;
}

std::string
default_for(Command command)
{
  return command == Command::template_ ? "oci" : "libvirt";
}

Result<EphemeralManagement>
local_management_cluster(const config::ClusterConfig& target,
                         const Environment& env,
                         const StateDir& state,
                         ProgressSink& progress)
{
  for (const auto* cloud : all()) {
    OCNE_TRY_ASSIGN(auto local, cloud->ephemeral_management(target, env, state, progress));
    if (local) {
      return std::move(*local);
    }
  }
  return make_error(ErrorKind::internal, "no provider runs an ephemeral management cluster on this host");
}

} // namespace ocne::providers
