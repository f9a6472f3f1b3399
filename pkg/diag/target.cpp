#include "pkg/diag/target.hpp"

#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/strings.hpp"

namespace ocne::diag {

Result<k8s::ClusterAccess>
resolve_access(const Target& target, const Environment& env, const StateDir& state)
{
  if (!target.kubeconfig.empty() && !target.cluster_name.empty()) {
    return make_error(ErrorKind::invalid_input, "--kubeconfig and --cluster-name cannot be used together");
  }
  if (!target.cluster_name.empty()) {
    OCNE_TRY_ASSIGN(auto cache, ClusterCache::load(state.clusters_file()));
    const auto* record = cache.find(target.cluster_name);
    if (record == nullptr) {
      return make_error(ErrorKind::not_found,
                        "cluster '{}' does not exist (see 'ocne cluster list'); give its kubeconfig with -k",
                        target.cluster_name);
    }
    if (record->kubeconfig.empty()) {
      return make_error(ErrorKind::not_found, "cluster '{}' has no kubeconfig recorded", target.cluster_name);
    }
    auto access = k8s::load_kubeconfig({ fs::Path(record->kubeconfig) }, { .require_all = true });
    if (!access) {
      return make_error(access.error().with_context(fmt::format("cluster '{}'", target.cluster_name)));
    }
    return access;
  }
  std::optional<fs::Path> explicit_path;
  if (!target.kubeconfig.empty()) {
    explicit_path = fs::expand_user(target.kubeconfig, env.home());
  }
  const auto files = k8s::kubeconfig_files(explicit_path, env.get("KUBECONFIG"), env.home());
  return k8s::load_kubeconfig(files, { .require_all = explicit_path.has_value() });
}

} // namespace ocne::diag
