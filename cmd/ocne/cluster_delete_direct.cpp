// `ocne cluster delete` for a cloud with its own driver (libvirt).

#include "cmd/ocne/providers.hpp"
#include "pkg/cluster/lifecycle.hpp"
#include "pkg/core/log.hpp"

namespace ocne::cli {

void
delete_direct(const providers::CloudProvider& cloud, const config::LoadedConfig& loaded, Context& ctx)
{
  providers::ProviderContext context{ loaded, ctx.env, ctx.state, ctx.progress_sink(), {} };
  auto driver = value_or_throw(cloud.delete_driver(context));
  const std::string name = loaded.config.name.value_or("ocne");
  const auto result =
    value_or_throw(cluster::delete_cluster(*driver, { .name = name }, ctx.state, ctx.progress_sink()));
  if (!result.was_cached) {
    log::info("Cluster {} is not in the cluster cache; nothing to delete", name);
  }
}

} // namespace ocne::cli
