#pragma once

// Waiting until a Cluster API cluster has all its nodes. Cluster API brings
// machines up over minutes and in order: the first control-plane machine
// alone, the others one at a time once it is initialized, the machine
// deployments' workers once the control plane is stable. A start is done
// when the workload cluster has as many Ready nodes as the
// KubeadmControlPlane's and MachineDeployments' replicas ask for and their
// ready replicas say so. Progress counts Ready nodes ("3 of 5"); what the
// controllers say is reported once each as it is said; a timeout names
// each machine that is missing or not Ready, and why.

#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace ocne::providers::capi {

struct NodesWait
{
  std::string namespace_;
  std::string cluster;
  std::chrono::milliseconds timeout{ std::chrono::minutes(15) };
  std::chrono::milliseconds interval{ std::chrono::seconds(2) };
  Clock* clock = nullptr; // null: real_clock()
  // Each new thing the controllers say, once.
  std::function<void(const std::string&)> report;
};

Status wait_cluster_nodes(k8s::Client& management,
                          k8s::Client& workload,
                          const NodesWait& wait,
                          ProgressSink& progress);

} // namespace ocne::providers::capi
