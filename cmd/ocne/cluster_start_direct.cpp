// `ocne cluster start` for a cloud with its own driver (libvirt).

#include "cmd/ocne/providers.hpp"
#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/layer.hpp"

namespace ocne::cli {

void
start_direct(const providers::CloudProvider& cloud, const config::LoadedConfig& loaded, Context& ctx)
{
  const auto& c = loaded.config;
  providers::ProviderContext context{ loaded, ctx.env, ctx.state, ctx.progress_sink(), {} };
  auto driver = value_or_throw(cloud.start_driver(context));
  const std::string name = c.name.value_or("ocne");
  cluster::StartRequest request;
  request.name = name;
  request.provider = std::string(cloud.name());
  request.kubernetes_version = c.kubernetes_version.get();
  request.config_yaml = config::to_yaml(c);
  const auto result = value_or_throw(cluster::start_cluster(*driver, request, ctx.state, ctx.progress_sink()));
  for (const auto& line : result.notes) {
    println(line);
  }
}

} // namespace ocne::cli
