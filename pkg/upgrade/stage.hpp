#pragma once

// `ocne cluster stage` for clusters whose OCK nodes swap their OS in place
// (libvirt, or any kubeadm cluster of OCK nodes reached with -k): each Ready
// node's /etc/ocne/update.yaml gets the new tag (and registry, transport),
// its update service restarts so it downloads the image, and kubeadm-config
// gets the new kubernetesVersion. `ocne node update` then boots the nodes
// into what they downloaded (docs/upgrade.md).

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ocne::upgrade {

struct StageOptions
{
  std::string version;     // "1.34"
  std::string os_registry; // empty: unchanged
  std::string transport;   // empty: unchanged
  // How long one node is tried again after a failure (its pod not starting,
  // a command failing).
  std::chrono::seconds node_retry{ 60 };
  std::chrono::milliseconds retry_interval{ 5000 };
  std::chrono::seconds pod_start_timeout{ 120 };
};

struct NodeStageResult
{
  std::string node;
  std::string outcome; // "staged", "already staged", "not ready", "failed"
  std::string error;   // why it failed
};

struct StageReport
{
  std::string version;            // "1.34"
  std::string kubernetes_version; // what kubeadm-config now says ("v1.34.1")
  bool cluster_api = false;       // the nodes are Cluster API Machines': nothing was done
  std::vector<NodeStageResult> nodes;
  bool kubeadm_config_changed = false;
};

// Checks first (version, registry, transport, skew, kubeadm-config), then
// stages each Ready node and sets kubeadm-config. A cluster whose nodes are
// Cluster API Machines' is left alone (report.cluster_api). No node staged
// is an error.
Result<StageReport> stage_cluster(k8s::Client& client, const StageOptions& options, ProgressSink& progress);

} // namespace ocne::upgrade
