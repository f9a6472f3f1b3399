// `ocne cluster start` for the libvirt provider.

#include "cmd/ocne/libvirt_env.hpp"
#include "cmd/ocne/providers.hpp"
#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/layer.hpp"
#include "providers/libvirt/driver.hpp"

namespace ocne::cli {

void
start_libvirt(const config::LoadedConfig& loaded, Context& ctx)
{
  const auto& c = loaded.config;
  auto options = value_or_throw(providers::libvirt::options_from_config(c, ctx.env, ctx.state));
  libvirt_env_overrides(ctx.env)(options);
  const std::string name = options.cluster_name;
  providers::libvirt::LibvirtDriver driver(std::move(options));
  cluster::StartRequest request;
  request.name = name;
  request.provider = "libvirt";
  request.kubernetes_version = c.kubernetes_version.get();
  request.config_yaml = config::to_yaml(c);
  const auto result = value_or_throw(cluster::start_cluster(driver, request, ctx.state, ctx.progress_sink()));
  for (const auto& line : result.notes) {
    println(line);
  }
}

} // namespace ocne::cli
