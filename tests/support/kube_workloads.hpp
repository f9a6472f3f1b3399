#pragma once

// Nodes, ReplicaSets with running pods, DaemonSet pods and budgets in a
// Kubernetes test server, for drain and eviction tests. Header only: the
// objects are what a kubelet and the controllers would have written.

#include "tests/servers/kube/kube_server.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ocne::test {

inline nlohmann::json
ready_conditions(bool ready = true)
{
  const auto c = [](const char* type, bool ok) {
    return nlohmann::json{ { "type", type }, { "status", ok ? "True" : "False" } };
  };
  return nlohmann::json::array(
    { c("PodScheduled", true), c("Initialized", true), c("ContainersReady", ready), c("Ready", ready) });
}

// A Node that is Ready (or NotReady), with a boot id and a kubelet version.
inline nlohmann::json
add_node(kube::KubeTestServer& s,
         const std::string& name,
         bool ready = true,
         const std::string& kubelet = "v1.33.5+1.el8",
         const std::string& boot_id = "")
{
  s.create({ { "apiVersion", "v1" }, { "kind", "Node" }, { "metadata", { { "name", name } } } });
  return s.merge_patch(
    "v1",
    "Node",
    "",
    name,
    { { "status",
        { { "conditions",
            { { { "type", "Ready" }, { "status", ready ? "True" : "False" }, { "reason", "KubeletReady" } } } },
          { "nodeInfo",
            { { "kubeletVersion", kubelet },
              { "bootID", boot_id.empty() ? name + "-boot-1" : boot_id },
              { "architecture", "amd64" },
              { "operatingSystem", "linux" } } } } } },
    "status");
}

// The namespace, created when missing.
inline void
ensure_namespace(kube::KubeTestServer& s, const std::string& ns)
{
  if (!s.get("v1", "Namespace", "", ns)) {
    s.create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", ns } } } });
  }
}

// A running pod on node; owner (a stored object) becomes its controller.
inline nlohmann::json
add_pod(kube::KubeTestServer& s,
        const std::string& ns,
        const std::string& name,
        const std::string& node,
        const nlohmann::json& labels,
        const nlohmann::json* owner = nullptr,
        bool ready = true,
        nlohmann::json volumes = nlohmann::json::array())
{
  nlohmann::json pod = { { "apiVersion", "v1" },
                         { "kind", "Pod" },
                         { "metadata", { { "name", name }, { "namespace", ns }, { "labels", labels } } },
                         { "spec",
                           { { "nodeName", node },
                             { "containers", { { { "name", "app" }, { "image", "registry.example/app:1" } } } } } } };
  if (!volumes.empty()) {
    pod["spec"]["volumes"] = volumes;
  }
  if (owner != nullptr) {
    pod["metadata"]["ownerReferences"] = { { { "apiVersion", (*owner)["apiVersion"] },
                                             { "kind", (*owner)["kind"] },
                                             { "name", (*owner)["metadata"]["name"] },
                                             { "uid", (*owner)["metadata"]["uid"] },
                                             { "controller", true },
                                             { "blockOwnerDeletion", true } } };
  }
  s.create(pod);
  return s.merge_patch("v1",
                       "Pod",
                       ns,
                       name,
                       { { "status", { { "phase", "Running" }, { "conditions", ready_conditions(ready) } } } },
                       "status");
}

// A ReplicaSet "name" (label app=name) with one running pod on each node given.
inline nlohmann::json
add_replicaset(kube::KubeTestServer& s,
               const std::string& ns,
               const std::string& name,
               const std::vector<std::string>& nodes,
               nlohmann::json volumes = nlohmann::json::array())
{
  ensure_namespace(s, ns);
  const nlohmann::json labels = { { "app", name } };
  nlohmann::json pod_spec = { { "containers", { { { "name", "app" }, { "image", "registry.example/app:1" } } } } };
  if (!volumes.empty()) {
    pod_spec["volumes"] = volumes;
  }
  const auto rs =
    s.create({ { "apiVersion", "apps/v1" },
               { "kind", "ReplicaSet" },
               { "metadata", { { "name", name }, { "namespace", ns } } },
               { "spec",
                 { { "replicas", nodes.size() },
                   { "selector", { { "matchLabels", labels } } },
                   { "template", { { "metadata", { { "labels", labels } } }, { "spec", pod_spec } } } } } });
  int i = 0;
  for (const auto& node : nodes) {
    add_pod(s, ns, name + "-" + std::to_string(++i), node, labels, &rs, true, volumes);
  }
  return rs;
}

// A PodDisruptionBudget over app=<app> with minAvailable (an int or "50%")
// or, when max_unavailable is set, maxUnavailable instead.
inline nlohmann::json
add_budget(kube::KubeTestServer& s,
           const std::string& ns,
           const std::string& name,
           const std::string& app,
           nlohmann::json min_available,
           nlohmann::json max_unavailable = nullptr)
{
  nlohmann::json spec = { { "selector", { { "matchLabels", { { "app", app } } } } } };
  if (!max_unavailable.is_null()) {
    spec["maxUnavailable"] = max_unavailable;
  } else {
    spec["minAvailable"] = min_available;
  }
  return s.create({ { "apiVersion", "policy/v1" },
                    { "kind", "PodDisruptionBudget" },
                    { "metadata", { { "name", name }, { "namespace", ns } } },
                    { "spec", spec } });
}

} // namespace ocne::test
