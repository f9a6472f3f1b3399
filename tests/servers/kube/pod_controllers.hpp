#pragma once

// Fake controllers around pods, for drains: the disruption controller that
// keeps PodDisruptionBudget status current (what the eviction subresource
// reads), and a ReplicaSet controller that replaces a deleted or evicted pod
// on another schedulable node, as a Deployment's pods come back elsewhere.

#include "tests/servers/kube/kube_server.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ocne::test::kube {

// Every PodDisruptionBudget (already there or created later) gets the
// status kube-controller-manager's disruption controller writes, after
// each change to it or to a pod in its namespace:
//  - expectedPods: for an integer minAvailable the number of matching pods,
//    otherwise the spec.replicas of their ReplicaSets (the pod count for
//    pods without one);
//  - currentHealthy: matching pods that are Ready, not being deleted and
//    not in disruptedPods;
//  - desiredHealthy: minAvailable (a percentage of expectedPods, rounded up)
//    or expectedPods - maxUnavailable (a percentage rounded up), at least 0;
//  - disruptionsAllowed = max(0, currentHealthy - desiredHealthy),
//    observedGeneration, the DisruptionAllowed condition, and disruptedPods
//    without the pods that are gone.
// A budget whose selector is empty matches no pod. Returns the first hook's id.
int play_disruption_controller(KubeTestServer& server, std::chrono::milliseconds delay = {});

struct ReplicaSetPodsOptions
{
  // How long a replacement pod takes to become Running and Ready.
  std::chrono::milliseconds ready_after{ 0 };
  // "namespace/name" of ReplicaSets whose replacements run but never become
  // Ready (a budget over them then stays at 0 disruptions allowed).
  std::vector<std::string> never_ready;
};

// A pod owned by a ReplicaSet (controller reference) that is deleted is
// replaced while the ReplicaSet has fewer live pods than spec.replicas: a
// new pod from spec.template (generateName "<rs>-") on a Ready node that is
// not unschedulable (the one with the fewest of the set's pods, then by
// name; none: it stays Pending), Running and Ready ready_after later.
// Returns the first hook's id.
int play_replicaset_pods(KubeTestServer& server, ReplicaSetPodsOptions options = {});

} // namespace ocne::test::kube
