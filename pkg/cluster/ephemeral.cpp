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

std::string
ephemeral_cluster_name(const config::ClusterConfig& target)
{
  return target.ephemeral_cluster.name.value_or("ocne-ephemeral");
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
  const auto name = ephemeral_cluster_name(target);
  log::info("No management cluster is configured; using the ephemeral cluster {}", name);
  auto started = start(target);
  if (!started) {
    return tl::unexpected(std::move(started).error().with_context(
      fmt::format("cannot start the ephemeral cluster {} (no management cluster is configured)", name)));
  }
  return ManagementCluster{ started->kubeconfigs.host, true, started->outcome == StartOutcome::created, name };
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
