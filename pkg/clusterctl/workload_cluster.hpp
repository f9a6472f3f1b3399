#pragma once

// Waiting for a Cluster API workload cluster in its management cluster: the
// "<name>-kubeconfig" Secret (label cluster.x-k8s.io/cluster-name) appears,
// its kubeconfig is written (mode 0600). Meanwhile whatever the controllers
// say is reported once each, as soon as it is said: failing conditions of
// the Cluster, its infrastructure cluster and its Machines, and Warning
// Events about them, so a CAPOCI or CAPOx error reaches the user instead of
// a silent 20-minute timeout. A timeout error ends with the last of them.

#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace ocne::clusterctl {

struct WorkloadWait
{
  std::string namespace_;
  std::string cluster;
  fs::Path kubeconfig_path; // ~/.kube/kubeconfig.<name>
  std::chrono::milliseconds timeout{ std::chrono::minutes(20) };
  std::chrono::milliseconds interval{ std::chrono::seconds(2) };
  Clock* clock = nullptr; // null: real_clock()
  // Each new thing the controllers say, once ("OCICluster ocne/demo:
  // Ready=False (VcnReconciliationFailed): ...").
  std::function<void(const std::string&)> report;
};

Status wait_workload_kubeconfig(k8s::Client& management, const WorkloadWait& wait, ProgressSink& progress);

// The infrastructure cluster (OCICluster, OxideCluster) the Cluster's
// spec.infrastructureRef names; an error when either is missing.
Result<nlohmann::json> infrastructure_cluster(k8s::Client& management,
                                              const std::string& namespace_,
                                              const std::string& cluster);

} // namespace ocne::clusterctl
