#pragma once

// What `cluster analyze` looks at: the objects of a few kinds, read from a
// live cluster or from a dump (a folder or a .tgz archive written by
// `cluster dump`, in YAML or JSON): node files, and the last lines of the
// previous logs of containers that restarted.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace ocne::diag {

struct ClusterSnapshot
{
  std::vector<nlohmann::json> nodes;
  std::vector<nlohmann::json> pods;
  std::vector<nlohmann::json> events;
  std::vector<nlohmann::json> clusters;       // cluster.x-k8s.io
  std::vector<nlohmann::json> control_planes; // KubeadmControlPlane
  std::vector<nlohmann::json> machine_deployments;
  std::vector<nlohmann::json> machines;
  // Node files (node_files.hpp): node -> file name -> content.
  std::map<std::string, std::map<std::string, std::string>> node_files;
  // The last lines of the previous instance of containers that restarted:
  // "<ns>/<pod>/<container>" -> lines.
  std::map<std::string, std::vector<std::string>> previous_logs;
};

struct LiveOptions
{
  bool node_files = true; // false with -s
  bool pod_logs = true;   // false with -p
  std::string node_image; // empty: k_node_pod_image
  int log_lines = 10;
};

Result<ClusterSnapshot> snapshot_live(k8s::Client& client, const LiveOptions& options);
// A folder or an archive (.tgz/.tar.gz) holding a dump.
Result<ClusterSnapshot> snapshot_from_dump(const fs::Path& path);

} // namespace ocne::diag
