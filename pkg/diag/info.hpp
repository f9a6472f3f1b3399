#pragma once

// `ocne cluster info`: the nodes of a cluster (role, Ready, cordoned,
// kubelet and OS versions, whether an update is staged) and, where the
// cluster runs Cluster API, its Clusters, control planes and
// MachineDeployments with their versions and health.

#include "pkg/core/error.hpp"
#include "pkg/diag/capi_health.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace ocne::diag {

// The annotation ocne's update service sets when a new OS image is staged.
inline constexpr const char* k_update_available_annotation = "ocne.oracle.com/update-available";

struct NodeInfo
{
  std::string name;
  bool control_plane = false;
  bool ready = false;
  std::string ready_message; // why not Ready
  bool cordoned = false;
  std::string kubelet_version;
  std::string os_image;
  std::string kernel_version;
  std::string container_runtime;
  bool update_available = false;
};

struct ClusterInfo
{
  std::string server; // the API server URL
  std::string server_version;
  std::vector<NodeInfo> nodes;
  std::vector<CapiHealth> capi; // Clusters, then control planes, then MachineDeployments
};

struct InfoOptions
{
  // Only these nodes (each must exist); empty: all.
  std::vector<std::string> nodes;
};

Result<ClusterInfo> collect_info(k8s::Client& client, const InfoOptions& options);

// The node's view of itself, shared with analyze.
NodeInfo node_info(const nlohmann::json& node);

std::string format_info(const ClusterInfo& info);
nlohmann::json info_json(const ClusterInfo& info);

} // namespace ocne::diag
