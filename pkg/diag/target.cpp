#include "pkg/diag/target.hpp"

#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/strings.hpp"

#include <filesystem>

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

Result<std::optional<ManagementRef>>
management_of(const Target& target, const Environment& env, const StateDir& state)
{
  OCNE_TRY_ASSIGN(auto cache, ClusterCache::load(state.clusters_file()));
  const ClusterRecord* record = nullptr;
  if (!target.cluster_name.empty()) {
    record = cache.find(target.cluster_name);
  } else if (!target.kubeconfig.empty()) {
    std::error_code ec;
    const auto given = std::filesystem::weakly_canonical(fs::expand_user(target.kubeconfig, env.home()), ec);
    for (const auto& [name, r] : cache.clusters()) {
      if (!r.kubeconfig.empty() && std::filesystem::weakly_canonical(r.kubeconfig, ec) == given) {
        record = &r;
      }
    }
  }
  if (record == nullptr) {
    return std::optional<ManagementRef>();
  }
  const auto at = [&](const char* key) {
    const auto i = record->state.find(key);
    return i == record->state.end() ? std::string() : i->second;
  };
  ManagementRef ref{ at("capi.management"), at("capi.namespace"), at("capi.cluster") };
  std::error_code ec;
  if (ref.kubeconfig.empty() || ref.cluster.empty() ||
      std::filesystem::weakly_canonical(ref.kubeconfig, ec) ==
        std::filesystem::weakly_canonical(record->kubeconfig, ec)) {
    return std::optional<ManagementRef>();
  }
  return std::optional<ManagementRef>(std::move(ref));
}

} // namespace ocne::diag
