// upgrade_cluster: the lock, the checks before anything is written, the
// hops, and what a status or dry run reports.

#include "providers/capi/upgrade.hpp"

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/clusterctl/cluster_objects.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/object.hpp"
#include "providers/capi/driver_steps.hpp"
#include "providers/capi/journal.hpp"
#include "providers/capi/upgrade_plan.hpp"
#include "providers/capi/upgrade_run.hpp"

#include <fmt/format.h>

namespace ocne::providers::capi {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::vector<std::string>
known_minors()
{
  std::vector<std::string> out;
  for (const auto& v : config::kube_versions()) {
    out.push_back(v.minor);
  }
  return out;
}

// What the plan needs: the control plane's version and every kubelet's.
Result<VersionsSeen>
versions_seen(k8s::Client& workload, const Pools& pools)
{
  VersionsSeen seen;
  seen.control_plane = k8s::string_at(pools.control_plane, "/spec/version");
  OCNE_TRY_ASSIGN(auto nodes, workload.list({ "", "v1", "Node" }));
  for (const auto& n : nodes.items) {
    seen.kubelets.push_back(
      { "node " + k8s::string_at(n, "/metadata/name"), k8s::string_at(n, "/status/nodeInfo/kubeletVersion") });
  }
  for (const auto& md : pools.deployments) {
    seen.kubelets.push_back({ fmt::format("MachineDeployment {}", k8s::string_at(md, "/metadata/name")),
                              k8s::string_at(md, "/spec/template/spec/version") });
  }
  return seen;
}

// An upgrade starts from a cluster whose machines all have Ready nodes and
// whose pools are not rolling out.
Status
check_health(k8s::Client& management,
             k8s::Client& workload,
             const Pools& pools,
             const std::string& ns,
             const std::string& cluster)
{
  std::vector<std::string> problems;
  OCNE_TRY_ASSIGN(auto nodes, workload.list({ "", "v1", "Node" }));
  for (const auto& n : nodes.items) {
    std::string why;
    if (!k8s::node_ready(n, why)) {
      problems.push_back(fmt::format("node {} is not Ready: {}", k8s::string_at(n, "/metadata/name"), why));
    }
  }
  OCNE_TRY_ASSIGN(auto machines, clusterctl::cluster_machines(management, pools.core, ns, cluster));
  for (const auto& m : machines) {
    if (k8s::string_at(m, "/status/nodeRef/name").empty()) {
      problems.push_back(fmt::format("Machine {}/{} has no node", ns, k8s::string_at(m, "/metadata/name")));
    }
  }
  std::vector<const json*> all{ &pools.control_plane };
  for (const auto& md : pools.deployments) {
    all.push_back(&md);
  }
  for (const auto* pool : all) {
    const auto replicas = pool->value("spec", json::object()).value("replicas", 1LL);
    const auto status = pool->value("status", json::object());
    const auto ready = status.value("readyReplicas", 0LL);
    if (ready < replicas || status.value("replicas", replicas) > replicas) {
      problems.push_back(fmt::format("{} {}/{} has {} of {} replicas ready ({} machines)",
                                     pool->value("kind", ""),
                                     ns,
                                     k8s::string_at(*pool, "/metadata/name"),
                                     ready,
                                     replicas,
                                     status.value("replicas", 0LL)));
    }
  }
  if (!problems.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "refused: cluster {} is not healthy: {} (rule: an upgrade starts from a healthy cluster)",
                      cluster,
                      str::join(problems, "; "));
  }
  return {};
}

// A dry run: what the first hop would create and patch; the later hops by name.
Result<std::vector<UpgradeHopReport>>
describe_hops(k8s::Client& management,
              const Pools& pools,
              const std::string& ns,
              const UpgradePlan& plan,
              const KnownImages& start_images)
{
  std::vector<UpgradeHopReport> out;
  std::string from = plan.from;
  for (const auto& hop : plan.hops) {
    UpgradeHopReport r;
    r.from = from;
    r.to = hop;
    OCNE_TRY_ASSIGN(auto version, config::find_kube_version(hop));
    KnownImages placeholders;
    for (const auto& [arch, id] : start_images) {
      placeholders[arch] = fmt::format("<Kubernetes {} boot image for {}>", hop, arch);
      r.images.push_back({ arch, "", "found or built and uploaded when the upgrade runs" });
    }
    if (out.empty()) {
      OCNE_TRY_ASSIGN(auto copies, template_copies(management, pools, ns, hop, placeholders, start_images, {}));
      for (const auto& c : copies) {
        OCNE_TRY_ASSIGN(auto live, management.find(k8s::ObjectRef::of(c.object)));
        (live ? r.templates_existing : r.templates_created).push_back(c.what + " (copy of " + c.old_name + ")");
      }
      const auto describe = [&](const json& object, const json& ops) {
        if (!ops.empty()) {
          r.patches.push_back(fmt::format(
            "{} {}/{}: {}", object.value("kind", ""), ns, k8s::string_at(object, "/metadata/name"), ops.dump()));
        }
      };
      describe(pools.control_plane, control_plane_patch(pools.control_plane, "v" + version.full, hop, {}));
      for (const auto& md : pools.deployments) {
        describe(md, deployment_patch(md, "v" + version.full, hop));
      }
    } else {
      r.patches.push_back(
        fmt::format("then the control plane and each MachineDeployment to v{} the same way", version.full));
    }
    out.push_back(std::move(r));
    from = hop;
  }
  return out;
}

} // namespace

Result<UpgradeReport>
upgrade_cluster(const StateDir& state, const UpgradeOptions& options, ProgressSink& progress)
{
  UpgradeReport report;
  const auto& name = options.cluster_name;
  std::optional<FileLock> lock;
  if (!options.dry_run && !options.target.empty()) {
    OCNE_TRY_ASSIGN(lock,
                    FileLock::acquire(cluster::cluster_lock_path(state, name),
                                      options.lock_timeout,
                                      fmt::format("cluster '{}'", name)));
  }
  OCNE_TRY_ASSIGN(auto cache, ClusterCache::load(state.clusters_file()));
  const auto* record = cache.find(name);
  if (record == nullptr) {
    return make_error(
      ErrorKind::not_found, "cluster {} is not in the cluster cache ({})", name, state.clusters_file().string());
  }
  const auto started = read_journal(*record);
  auto upgrade = read_upgrade_journal(*record);
  report.cluster = started.cluster;
  report.namespace_ = started.namespace_;
  report.target = upgrade.target;
  report.hop = upgrade.hop;
  if (options.target.empty()) {
    report.outcome = upgrade.active() ? "unfinished" : "none";
    for (const auto step : upgrade_steps()) {
      if (upgrade.done.count(step) > 0) {
        report.finished_steps.emplace_back(to_string(step));
      }
    }
    if (const auto next = upgrade.next(); next && upgrade.active()) {
      report.next_step = std::string(to_string(*next));
    }
    report.from = upgrade.from;
    return report;
  }
  if (started.phase != cluster::Phase::running) {
    return make_error(ErrorKind::invalid_input,
                      "cluster {} has not finished starting; 'ocne cluster start -C {}' continues it",
                      name,
                      name);
  }
  OCNE_TRY_ASSIGN(auto wanted, config::find_kube_version(options.target));
  const std::string target = wanted.minor;
  report.target = target;
  if (upgrade.active() && upgrade.target != target) {
    return make_error(ErrorKind::conflict,
                      "an upgrade of cluster {} to {} is unfinished (hop to {}, next step {}); finish it first with "
                      "'ocne cluster upgrade -C {} -v {}'",
                      name,
                      upgrade.target,
                      upgrade.hop.empty() ? "?" : upgrade.hop,
                      upgrade.next() ? std::string(to_string(*upgrade.next())) : "verify",
                      name,
                      upgrade.target);
  }
  const auto& capi = options.capi;
  const fs::Path management_path = started.pivoted ? capi.kubeconfig_path : fs::Path(started.management);
  OCNE_TRY_ASSIGN(auto management, detail::client_for(management_path));
  OCNE_TRY_ASSIGN(auto workload, detail::client_for(capi.kubeconfig_path));
  const auto ns = started.namespace_;
  const auto cluster_object = started.cluster;

  std::unique_ptr<cluster::CacheTracker> tracker;
  if (!options.dry_run) {
    tracker = std::make_unique<cluster::CacheTracker>(state, name);
  }
  const auto run_hop = [&](const std::string& from, const std::string& hop) -> Status {
    UpgradeHopReport hop_report;
    hop_report.from = from;
    hop_report.to = hop;
    OCNE_TRY_ASSIGN(auto version, config::find_kube_version(hop));
    UpgradeRun run{ options, *tracker,    progress,  hop_report, from,           hop,
                    version, *management, *workload, ns,         cluster_object, started.images };
    log::info("Upgrading cluster {} from Kubernetes {} to {}", name, from, hop);
    using StepFn = Status (*)(UpgradeRun&);
    const std::pair<UpgradeStep, StepFn> steps[] = {
      { UpgradeStep::images, run_upgrade_images },
      { UpgradeStep::templates, run_upgrade_templates },
      { UpgradeStep::control_plane, run_upgrade_control_plane },
      { UpgradeStep::addons, run_upgrade_addons },
      { UpgradeStep::workers, run_upgrade_workers },
      { UpgradeStep::verify, run_upgrade_verify },
    };
    for (const auto& [step, fn] : steps) {
      if (run.journal().done.count(step) > 0) {
        continue;
      }
      const auto t0 = Clock::now();
      OCNE_TRY(fn(run));
      hop_report.durations.emplace_back(std::string(to_string(step)),
                                        std::chrono::duration<double>(Clock::now() - t0).count());
    }
    OCNE_TRY(clear_upgrade_hop(*tracker, run.journal()));
    report.hops.push_back(std::move(hop_report));
    return {};
  };

  // An unfinished hop first: the cluster is half-way, so neither the health
  // check nor a new plan applies to it.
  if (upgrade.active() && !upgrade.hop.empty() && !options.dry_run) {
    report.resumed = true;
    report.from = upgrade.from;
    log::info("Continuing the upgrade of cluster {} to {} (hop {} -> {}, next step {})",
              name,
              upgrade.target,
              upgrade.from,
              upgrade.hop,
              upgrade.next() ? std::string(to_string(*upgrade.next())) : "none");
    OCNE_TRY(run_hop(upgrade.from, upgrade.hop));
  }
  bool first = true;
  while (true) {
    OCNE_TRY_ASSIGN(auto pools, read_pools(*management, ns, cluster_object));
    OCNE_TRY_ASSIGN(auto seen, versions_seen(*workload, pools));
    OCNE_TRY_ASSIGN(auto plan, plan_upgrade(seen, target, known_minors()));
    if (report.from.empty()) {
      report.from = plan.from;
    }
    if (plan.hops.empty()) {
      break;
    }
    if (first && !upgrade.active() && report.hops.empty()) {
      OCNE_TRY(check_health(*management, *workload, pools, ns, cluster_object));
    }
    first = false;
    if (options.dry_run) {
      OCNE_TRY_ASSIGN(report.hops, describe_hops(*management, pools, ns, plan, started.images));
      report.outcome = "dry run";
      return report;
    }
    const std::string hop = plan.hops.front();
    OCNE_TRY(tracker->set_state(upgrade_journal::k_target, target));
    OCNE_TRY(tracker->set_state(upgrade_journal::k_from, plan.from));
    OCNE_TRY(tracker->set_state(upgrade_journal::k_hop, hop));
    OCNE_TRY(run_hop(plan.from, hop));
  }
  if (options.dry_run) {
    report.outcome = "up to date";
    return report;
  }
  report.outcome = report.hops.empty() ? "up to date" : "upgraded";
  if (options.on_upgraded) {
    OCNE_TRY(options.on_upgraded(target));
  }
  OCNE_TRY(tracker->set_state(cluster::k_state_kubernetes_version, target));
  OCNE_TRY(clear_upgrade(*tracker, read_upgrade_journal(tracker->snapshot())));
  return report;
}

} // namespace ocne::providers::capi
