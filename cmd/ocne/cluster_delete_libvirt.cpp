// `ocne cluster delete` for the libvirt provider.

#include "cmd/ocne/providers.hpp"
#include "pkg/cluster/lifecycle.hpp"
#include "pkg/core/log.hpp"
#include "providers/libvirt/driver.hpp"

namespace ocne::cli {

void
delete_libvirt(const config::LoadedConfig& loaded, Context& ctx)
{
  auto options = value_or_throw(providers::libvirt::delete_options_from_config(loaded.config, ctx.env, ctx.state));
  const std::string name = options.cluster_name;
  providers::libvirt::LibvirtDriver driver(std::move(options));
  const auto result = value_or_throw(cluster::delete_cluster(driver, { .name = name }, ctx.state, ctx.progress_sink()));
  if (!result.was_cached) {
    log::info("Cluster {} is not in the cluster cache; nothing to delete", name);
  }
}

} // namespace ocne::cli
