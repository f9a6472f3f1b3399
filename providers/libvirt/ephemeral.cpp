#include "providers/libvirt/ephemeral.hpp"

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/layer.hpp"

namespace ocne::providers::libvirt {

config::ClusterConfig
ephemeral_cluster_config(const config::ClusterConfig& target)
{
  config::ClusterConfig c = target;
  c.name = cluster::ephemeral_cluster_name(target);
  c.provider = std::string(k_provider);
  c.control_plane_nodes = 1;
  c.worker_nodes = 0;
  c.headless = true;
  c.catalog = false;
  c.community_catalog = false;
  c.cni = std::string();
  c.quiet = true;
  c.virtual_ip.reset();
  c.load_balancer.reset();
  c.cluster_definition.reset();
  c.cluster_definition_inline.reset();
  c.extra_ignition.reset();
  c.extra_ignition_inline.reset();
  c.catalogs.clear();
  c.applications.clear();
  c.directory.reset();
  // The node size of the ephemeral cluster.
  const auto& node = target.ephemeral_cluster.node;
  if (node.cpu.is_set()) {
    c.providers.libvirt.control_plane_node.cpu = *node.cpu;
  }
  if (node.memory.is_set()) {
    c.providers.libvirt.control_plane_node.memory = *node.memory;
  }
  if (node.storage.is_set()) {
    c.providers.libvirt.control_plane_node.storage = *node.storage;
  }
  return c;
}

cluster::EphemeralStarter
ephemeral_starter(const Environment& env, const StateDir& state, ProgressSink& progress, EphemeralHooks hooks)
{
  return [env, state, &progress, hooks](const config::ClusterConfig& target) -> Result<cluster::StartResult> {
    const auto config = ephemeral_cluster_config(target);
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
  const auto config = ephemeral_cluster_config(target);
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
