#include "providers/libvirt/ephemeral.hpp"

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/layer.hpp"

namespace ocne::providers::libvirt {

cluster::EphemeralStarter
ephemeral_starter(const Environment& env, const StateDir& state, ProgressSink& progress, EphemeralHooks hooks)
{
  return [env, state, &progress, hooks](const config::ClusterConfig& config) -> Result<cluster::StartResult> {
    OCNE_TRY_ASSIGN(auto options, options_from_config(config, env, state));
    if (hooks.adjust) {
      hooks.adjust(options);
    }
    LibvirtDriver driver(std::move(options), hooks.deps ? hooks.deps() : DriverDeps{});
    cluster::StartRequest request;
    request.name = config.name.get();
    request.provider = std::string(k_provider);
    request.kubernetes_version = config.kubernetes_version.get();
    request.config_yaml = config::to_yaml(config);
    // docs/cluster-api.md: an ephemeral cluster that cannot start leaves
    // nothing behind and no record, a timeout included; one left
    // half-started by a killed run is removed and started again.
    request.disposable = true;
    return cluster::start_cluster(driver, request, state, progress);
  };
}

cluster::EphemeralDeleter
ephemeral_deleter(const config::ClusterConfig& target,
                  const Environment& env,
                  const StateDir& state,
                  ProgressSink& progress,
                  EphemeralHooks hooks)
{
  const auto config = cluster::ephemeral_cluster_config(target);
  return [config, env, state, &progress, hooks](const std::string& name) -> Status {
    OCNE_TRY_ASSIGN(auto options, delete_options_from_config(config, env, state));
    options.cluster_name = name;
    if (hooks.adjust) {
      hooks.adjust(options);
    }
    LibvirtDriver driver(std::move(options), hooks.deps ? hooks.deps() : DriverDeps{});
    OCNE_TRY(cluster::delete_cluster(driver, { .name = name }, state, progress));
    return {};
  };
}

} // namespace ocne::providers::libvirt
