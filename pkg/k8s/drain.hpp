#pragma once

// Draining a node as `kubectl drain --ignore-daemonsets` does, through the
// eviction API: the pods on the node are sorted (DaemonSet and mirror pods
// and ocne's own node pods stay, emptyDir pods need consent), then each is
// evicted, a PodDisruptionBudget's refusal (429) retried until the budget
// allows it, and the drain ends when every removed pod is gone.

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::k8s {

inline constexpr const char* k_mirror_pod_annotation = "kubernetes.io/config.mirror";

struct DrainOptions
{
  bool delete_emptydir_data = false; // pods with emptyDir volumes may go (their data is lost)
  bool disable_eviction = false;     // DELETE the pods instead: budgets are not asked
  std::chrono::milliseconds timeout{ std::chrono::minutes(30) };
  // Between two rounds of evictions the budgets refused (kubectl waits 5 s).
  std::chrono::milliseconds retry_interval{ 5000 };
  // Pods with this label stay (ocne's own node pods, which need the node).
  std::string skip_label = "ocne.oracle.com/purpose";
  // Called after each pod's eviction or deletion ("evicted <ns>/<pod>").
  std::function<void(std::string_view)> checkpoint;
};

// A pod to remove, by namespace, name and uid (a replacement with the same
// name is another pod).
struct DrainTarget
{
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string key() const; // "<ns>/<name>"
};

// Where each pod on the node goes ("<ns>/<name>" in the name lists).
struct DrainPlan
{
  std::vector<DrainTarget> to_remove;
  std::vector<std::string> daemonset_pods; // stay, as with --ignore-daemonsets
  std::vector<std::string> mirror_pods;    // static pods: the kubelet owns them
  std::vector<std::string> skipped_pods;   // carry skip_label
  std::vector<std::string> emptydir_pods;  // block the drain unless delete_emptydir_data
  std::vector<std::string> unmanaged_pods; // no controller: removed, never replaced
};

// Sorts the pods of one node (pure). Finished pods (Succeeded, Failed) are
// removed whatever their volumes.
DrainPlan plan_drain(const std::vector<nlohmann::json>& pods_on_node, const DrainOptions& options);

// The pods whose spec.nodeName is node, in every namespace.
Result<std::vector<nlohmann::json>> pods_on_node(Client& client, std::string_view node);

// The refusal of a plan with emptyDir pods without consent (invalid_input
// naming every such pod), or success.
Status check_emptydir(std::string_view node, const DrainPlan& plan, const DrainOptions& options);

struct DrainReport
{
  int evicted = 0;
  int deleted = 0;
  int budget_refusals = 0;       // 429s answered
  std::vector<std::string> left; // DaemonSet, mirror and skipped pods
};

// Drains a node that is already cordoned: refuses (before removing
// anything) when emptyDir pods need consent, then evicts (or deletes) every
// pod of the plan, retrying budget refusals every retry_interval and logging
// each distinct cause once per pod, until each is gone (or replaced by a pod
// with another uid). On timeout: ErrorKind::timeout naming the pods left and
// the budget's last answer.
Result<DrainReport> drain_node(Client& client,
                               std::string_view node,
                               const DrainOptions& options,
                               ProgressSink& progress);

} // namespace ocne::k8s
