// Waiting for a pool's rollout during an upgrade hop.

#include "pkg/clusterctl/cluster_objects.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/wait.hpp"
#include "providers/capi/upgrade_plan.hpp"
#include "providers/capi/upgrade_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace ocne::providers::capi {

namespace {

using json = nlohmann::json;

struct NodeSeen
{
  bool ready = false;
  std::string kubelet;
};

struct PoolLook
{
  long long replicas = 0;
  bool observed = false; // the controller has seen the latest spec
  std::vector<std::string> machines;
  std::set<std::string> outdated; // machine names
  int replaced = 0;
  std::vector<std::string> waiting; // why not done, per machine
};

Result<PoolLook>
look(UpgradeRun& run, const PoolWait& wait)
{
  PoolLook out;
  OCNE_TRY_ASSIGN(auto owner, run.management.get(wait.owner));
  out.replicas = owner["spec"].value("replicas", 1LL);
  const auto generation = owner["metadata"].value("generation", 0LL);
  out.observed = owner.value("status", json::object()).value("observedGeneration", 0LL) >= generation;
  OCNE_TRY_ASSIGN(auto nodes, run.workload.list({ "", "v1", "Node" }));
  std::map<std::string, NodeSeen> by_name;
  for (const auto& n : nodes.items) {
    NodeSeen seen;
    seen.kubelet = k8s::string_at(n, "/status/nodeInfo/kubeletVersion");
    for (const auto& c : n.value("status", json::object()).value("conditions", json::array())) {
      seen.ready = seen.ready || (c.value("type", "") == "Ready" && c.value("status", "") == "True");
    }
    by_name[k8s::string_at(n, "/metadata/name")] = seen;
  }
  k8s::ListOptions mine;
  mine.namespace_ = run.namespace_;
  mine.label_selector = wait.machine_selector;
  OCNE_TRY_ASSIGN(auto version, clusterctl::core_version(run.management));
  OCNE_TRY_ASSIGN(auto machines, run.management.list({ "cluster.x-k8s.io", version, "Machine" }, mine));
  for (const auto& m : machines.items) {
    const auto name = k8s::string_at(m, "/metadata/name");
    out.machines.push_back(name);
    const auto infra =
      clusterctl::referenced(run.management, m["spec"].value("infrastructureRef", json()), run.namespace_);
    const std::string cloned =
      infra ? (*infra)["metadata"].value("annotations", json::object()).value("cluster.x-k8s.io/cloned-from-name", "")
            : "";
    const std::string machine_version = k8s::string_at(m, "/spec/version");
    if (minor_of(machine_version) != run.hop || (infra && cloned != wait.template_name)) {
      out.outdated.insert(name);
      out.waiting.push_back(fmt::format(
        "Machine {}/{} runs {} from {}", run.namespace_, name, machine_version, cloned.empty() ? "?" : cloned));
      continue;
    }
    const auto node_name = k8s::string_at(m, "/status/nodeRef/name");
    const auto node = by_name.find(node_name);
    if (node_name.empty() || node == by_name.end()) {
      out.waiting.push_back(fmt::format("Machine {}/{}: no node yet", run.namespace_, name));
      continue;
    }
    if (!node->second.ready || minor_of(node->second.kubelet) != run.hop) {
      out.waiting.push_back(fmt::format(
        "node {}: {}, kubelet {}", node_name, node->second.ready ? "Ready" : "not Ready", node->second.kubelet));
      continue;
    }
    ++out.replaced;
  }
  return out;
}

} // namespace

Result<int>
wait_pool(UpgradeRun& run, const PoolWait& wait)
{
  const auto& o = run.options.capi;
  std::set<std::string> reported;
  std::set<std::string> first_outdated;
  bool first = true;
  int last_replaced = -1;
  std::string last;
  PollMessages messages;
  messages.timed_out = [&](std::string_view) {
    return Error(ErrorKind::timeout,
                 fmt::format("the {} of cluster {}/{} did not roll out to {} within {}: {}",
                             wait.label,
                             run.namespace_,
                             run.cluster,
                             run.hop,
                             k8s::format_duration(o.nodes_timeout),
                             last));
  };
  messages.interrupted = [&] {
    return Error(ErrorKind::cancelled,
                 fmt::format("interrupted while waiting for the {} to roll out ({})",
                             wait.label,
                             last.empty() ? "nothing seen yet" : last));
  };
  return poll({ .timeout = o.nodes_timeout, .interval = o.interval, .clock = o.clock }, messages, [&]() -> Result<int> {
    auto seen = look(run, wait);
    if (seen) {
      if (first) {
        first_outdated = seen->outdated;
        first = false;
      }
      if (seen->replaced != last_replaced) {
        last_replaced = seen->replaced;
        log::info("{}: {} of {} machines replaced", wait.label, seen->replaced, seen->replicas);
      }
      if (seen->observed && static_cast<long long>(seen->machines.size()) == seen->replicas &&
          seen->replaced == seen->replicas) {
        int replaced = 0;
        for (const auto& name : first_outdated) {
          replaced += std::find(seen->machines.begin(), seen->machines.end(), name) == seen->machines.end() ? 1 : 0;
        }
        return replaced;
      }
      last = fmt::format("{} of {} machines replaced, {} machines{}",
                         seen->replaced,
                         seen->replicas,
                         seen->machines.size(),
                         seen->waiting.empty() ? "" : ": " + str::join(seen->waiting, "; "));
    } else if (seen.error().kind() == ErrorKind::transient || seen.error().kind() == ErrorKind::not_found ||
               seen.error().kind() == ErrorKind::timeout) {
      last = seen.error().message(); // a control plane node restarting under a self-managed cluster
    } else {
      return tl::unexpected(seen.error());
    }
    for (const auto& line : clusterctl::what_controllers_say(run.management, run.namespace_, run.cluster)) {
      if (reported.insert(line).second) {
        log::warn("{}", line);
      }
    }
    return not_ready_yet(last);
  });
}

} // namespace ocne::providers::capi
