#include "pkg/cluster/ephemeral.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"

#include <system_error>

namespace ocne::cluster {

namespace {

bool
path_exists(const fs::Path& path)
{
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

} // namespace

Result<std::optional<fs::Path>>
management_kubeconfig(const std::string& configured, std::string_view configured_key, const Environment& env)
{
  if (!configured.empty()) {
    const auto path = fs::resolve_path(configured, env.cwd(), env.home());
    if (!path_exists(path)) {
      return make_error(
        ErrorKind::invalid_input, "{}: the kubeconfig {} does not exist", configured_key, path.string());
    }
    return std::optional<fs::Path>(path);
  }
  if (const auto test = env.get_nonempty("TEST_KUBECONFIG")) {
    const auto path = fs::resolve_path(*test, env.cwd(), env.home());
    if (!path_exists(path)) {
      return make_error(ErrorKind::invalid_input, "TEST_KUBECONFIG: the kubeconfig {} does not exist", path.string());
    }
    return std::optional<fs::Path>(path);
  }
  if (const auto list = env.get_nonempty("KUBECONFIG")) {
    for (const auto& entry : str::split_trimmed(*list, ':')) {
      const auto path = fs::resolve_path(entry, env.cwd(), env.home());
      if (path_exists(path)) {
        return std::optional<fs::Path>(path);
      }
    }
    return make_error(ErrorKind::invalid_input, "KUBECONFIG: none of its files exist ({})", *list);
  }
  return std::optional<fs::Path>();
}

config::ClusterConfig
ephemeral_cluster_config(const config::ClusterConfig& target)
{
  config::ClusterConfig c = target;
  c.name = c.ephemeral_cluster.name.value_or("ocne-ephemeral");
  c.provider = std::string("libvirt");
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

Result<ManagementCluster>
ensure_management_cluster(const config::ClusterConfig& target,
                          const std::string& configured_kubeconfig,
                          std::string_view configured_key,
                          const Environment& env,
                          const EphemeralStarter& start)
{
  OCNE_TRY_ASSIGN(auto configured, management_kubeconfig(configured_kubeconfig, configured_key, env));
  if (configured) {
    return ManagementCluster{ *configured, false, false, "" };
  }
  const auto config = ephemeral_cluster_config(target);
  log::info("No management cluster is configured; using the ephemeral cluster {}", *config.name);
  auto started = start(config);
  if (!started) {
    return tl::unexpected(std::move(started).error().with_context(
      fmt::format("cannot start the ephemeral cluster {} (no management cluster is configured)", *config.name)));
  }
  return ManagementCluster{ started->kubeconfigs.host, true, started->outcome == StartOutcome::created, *config.name };
}

Status
release_management_cluster(const ManagementCluster& cluster,
                           bool still_needed,
                           bool preserve,
                           const EphemeralDeleter& remove)
{
  if (!cluster.ephemeral || !cluster.created || still_needed || preserve) {
    return {};
  }
  log::info("Deleting the ephemeral cluster {}", cluster.name);
  return remove(cluster.name);
}

} // namespace ocne::cluster
