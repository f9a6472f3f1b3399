#pragma once

// `ocne cluster info`: the nodes of a cluster (role, Ready, cordoned,
// kubelet and OS versions, whether an update is staged) and, where the
// cluster runs Cluster API, its Clusters, control planes and
// MachineDeployments with their versions and health.

#include "pkg/core/error.hpp"
#include "pkg/diag/capi_health.hpp"
#include "pkg/diag/node_details.hpp"
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
  bool update_available = false; // the annotation, or a staged commit the node's files show
  // An unfinished `ocne node update` of this node (the journal annotation of
  // pkg/upgrade/node_journal.hpp): its phase, when and by whom it began;
  // phase empty: none.
  std::string update_phase;
  std::string update_since;
  std::string update_owner;
  NodeDetails details; // from the node's files, when they were collected
};

struct ClusterInfo
{
  std::string server; // the API server URL
  std::string server_version;
  std::vector<NodeInfo> nodes;
  std::vector<CapiHealth> capi; // Clusters, then control planes, then MachineDeployments
  std::string capi_source;      // the management cluster's API server when not the cluster's own
};

struct InfoOptions
{
  // Only these nodes (each must exist); empty: all.
  std::vector<std::string> nodes;
  // Run a pod on each Ready node for its update.yaml and ostree status
  // (Oracle's default; -s turns it off).
  bool node_files = false;
  std::string node_image; // empty: k_node_pod_image
  // A workload cluster's management cluster: its Cluster, control plane and
  // MachineDeployments come from there (null: from the cluster itself).
  k8s::Client* management = nullptr;
  std::string capi_namespace;
  std::string capi_cluster;
};

Result<ClusterInfo> collect_info(k8s::Client& client, const InfoOptions& options);

// Adds what a node's files say (update source, deployments, a staged
// update) to its entry.
void add_node_details(NodeInfo& node, NodeDetails details);

// The node's view of itself, shared with analyze.
NodeInfo node_info(const nlohmann::json& node);

std::string format_info(const ClusterInfo& info);
nlohmann::json info_json(const ClusterInfo& info);

} // namespace ocne::diag
