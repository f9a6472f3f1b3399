#include "providers/capi/nodes_wait.hpp"

#include "pkg/clusterctl/cluster_objects.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/object.hpp"
#include "pkg/k8s/wait.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace ocne::providers::capi {

namespace {

using json = nlohmann::json;

long long
number_at(const json& object, const char* pointer, long long fallback)
{
  const json::json_pointer ptr(pointer);
  return object.contains(ptr) && object.at(ptr).is_number_integer() ? object.at(ptr).get<long long>() : fallback;
}

// A replica set of machines: the control plane or a machine deployment.
struct Pool
{
  std::string what; // "KubeadmControlPlane ocne/demo-control-plane"
  long long desired = 0;
  long long ready = 0;
};

// One look at both clusters.
struct Look
{
  long long desired = 0;
  long long ready_nodes = 0;
  std::vector<Pool> pools;
  std::vector<std::string> missing; // why the cluster is not complete, for the timeout
  bool
  complete() const
  {
    if (desired == 0 || ready_nodes < desired) {
      return false;
    }
    for (const auto& p : pools) {
      if (p.ready < p.desired) {
        return false;
      }
    }
    return true;
  }
};

Result<Look>
look(k8s::Client& management, k8s::Client& workload, const NodesWait& wait)
{
  Look out;
  OCNE_TRY_ASSIGN(auto version, clusterctl::core_version(management));
  const std::string core = "cluster.x-k8s.io/" + version;
  OCNE_TRY_ASSIGN(auto cluster, management.get({ core, "Cluster", wait.namespace_, wait.cluster }));
  auto pool_of = [&](const json& object) {
    Pool p;
    p.what =
      fmt::format("{} {}/{}", object.value("kind", "?"), wait.namespace_, k8s::string_at(object, "/metadata/name"));
    p.desired = number_at(object, "/spec/replicas", 1);
    p.ready = number_at(object, "/status/readyReplicas", 0);
    out.desired += p.desired;
    out.pools.push_back(p);
  };
  if (auto cp = clusterctl::referenced(management, cluster["spec"].value("controlPlaneRef", json()), wait.namespace_)) {
    pool_of(*cp);
  } else {
    out.missing.push_back(
      fmt::format("the control plane of Cluster {}/{} is not there yet", wait.namespace_, wait.cluster));
  }
  k8s::ListOptions mine;
  mine.namespace_ = wait.namespace_;
  mine.label_selector = "cluster.x-k8s.io/cluster-name=" + wait.cluster;
  OCNE_TRY_ASSIGN(auto deployments, management.list({ "cluster.x-k8s.io", version, "MachineDeployment" }, mine));
  for (const auto& md : deployments.items) {
    pool_of(md);
  }

  // Nodes by name, Ready or why not.
  OCNE_TRY_ASSIGN(auto nodes, workload.list({ "", "v1", "Node" }));
  std::map<std::string, std::string> not_ready;
  std::set<std::string> ready;
  for (const auto& node : nodes.items) {
    std::string why;
    const auto name = k8s::string_at(node, "/metadata/name");
    if (k8s::node_ready(node, why)) {
      ready.insert(name);
    } else {
      not_ready[name] = why;
    }
  }
  out.ready_nodes = static_cast<long long>(ready.size());

  // Each machine without a Ready node, and why.
  OCNE_TRY_ASSIGN(auto machines, clusterctl::cluster_machines(management, version, wait.namespace_, wait.cluster));
  for (const auto& m : machines) {
    const auto name = k8s::string_at(m, "/metadata/name");
    const auto node = k8s::string_at(m, "/status/nodeRef/name");
    if (!node.empty() && ready.count(node) > 0) {
      continue;
    }
    std::string why;
    if (node.empty()) {
      std::vector<std::string> conditions;
      clusterctl::failing_conditions(m, conditions);
      why = fmt::format("phase {}, no node yet{}",
                        k8s::string_at(m, "/status/phase").empty() ? "Pending" : k8s::string_at(m, "/status/phase"),
                        conditions.empty() ? "" : "; " + str::join(conditions, "; "));
    } else {
      const auto it = not_ready.find(node);
      why = it == not_ready.end() ? fmt::format("node {} is not in the cluster", node)
                                  : fmt::format("node {} {}", node, it->second);
    }
    out.missing.push_back(fmt::format("Machine {}/{}: {}", wait.namespace_, name, why));
  }
  for (const auto& p : out.pools) {
    if (p.ready < p.desired) {
      out.missing.push_back(fmt::format("{} has {} of {} replicas ready", p.what, p.ready, p.desired));
    }
  }
  return out;
}

} // namespace

Status
wait_cluster_nodes(k8s::Client& management, k8s::Client& workload, const NodesWait& wait, ProgressSink& progress)
{
  ProgressTask task(progress, "Waiting for the cluster's nodes to be Ready", 0, ProgressUnit::items);
  std::set<std::string> reported;
  PollMessages messages;
  messages.timed_out = [&](std::string_view last) {
    auto message = fmt::format("cluster {}/{} is not complete after {}: {}",
                               wait.namespace_,
                               wait.cluster,
                               k8s::format_duration(wait.timeout),
                               last);
    task.fail(message);
    return Error(ErrorKind::timeout, std::move(message));
  };
  messages.interrupted = [&] {
    task.fail("interrupted");
    return Error(ErrorKind::cancelled,
                 fmt::format("interrupted while waiting for the nodes of cluster {}", wait.cluster));
  };
  return poll({ .timeout = wait.timeout, .interval = wait.interval, .clock = wait.clock }, messages, [&]() -> Status {
    std::string last;
    auto seen = look(management, workload, wait);
    if (seen) {
      task.set_total(static_cast<std::uint64_t>(seen->desired));
      task.set_done(static_cast<std::uint64_t>(std::min(seen->ready_nodes, seen->desired)));
      if (seen->complete()) {
        task.succeed(fmt::format("ok ({} node{} Ready)", seen->ready_nodes, seen->ready_nodes == 1 ? "" : "s"));
        return {};
      }
      last = fmt::format("{} of {} nodes Ready{}",
                         seen->ready_nodes,
                         seen->desired,
                         seen->missing.empty() ? "" : ": " + str::join(seen->missing, "; "));
    } else if (seen.error().kind() == ErrorKind::transient || seen.error().kind() == ErrorKind::not_found) {
      last = seen.error().message(); // a restarting API server, an object not there yet
    } else {
      task.fail(seen.error().message());
      return tl::unexpected(seen.error());
    }
    for (const auto& line : clusterctl::what_controllers_say(management, wait.namespace_, wait.cluster)) {
      if (reported.insert(line).second && wait.report) {
        wait.report(line);
      }
    }
    return not_ready_yet(std::move(last));
  });
}

} // namespace ocne::providers::capi
