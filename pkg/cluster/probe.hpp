#pragma once

// Looking at a new cluster's Kubernetes API from the host: is it up, how
// many nodes registered. An interface so drivers can be tested without a
// cluster; make_kube_probe() is the real one (pkg/k8s).

#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace ocne::cluster {

// The add-ons a started cluster needs for Ready nodes (docs/addons.md).
struct AddonRequest
{
  // "" or "flannel" installs flannel; "none" or another name installs no CNI.
  std::string cni;
  std::string pod_subnet; // comma-separated CIDRs
  std::vector<std::string> interfaces;
  // The HA monitor (ha-config) of a cluster whose API is a virtual IP.
  bool ha_monitor = false;
  std::chrono::milliseconds timeout{ std::chrono::minutes(10) };
};

class ClusterProbe
{
public:
  virtual ~ClusterProbe() = default;
  // Waits until the API behind kubeconfig answers and lists at least
  // min_nodes nodes; a timeout error says what was seen last.
  virtual Status wait_ready(const fs::Path& kubeconfig,
                            std::size_t min_nodes,
                            std::chrono::milliseconds timeout,
                            ProgressSink& progress) = 0;
  // One look: the number of nodes, or why the API did not answer.
  virtual Result<std::size_t> count_nodes(const fs::Path& kubeconfig) = 0;
  // Installs the add-ons and waits until they run and every node is Ready
  // (pkg/addons); a second call writes nothing.
  virtual Status install_addons(const fs::Path& kubeconfig, const AddonRequest& request, ProgressSink& progress) = 0;
};

// Polls with pkg/k8s (GET /api/v1/nodes) every interval, on `clock` (null: real_clock()).
std::unique_ptr<ClusterProbe> make_kube_probe(std::chrono::milliseconds interval = std::chrono::seconds(2),
                                              Clock* clock = nullptr);

} // namespace ocne::cluster
