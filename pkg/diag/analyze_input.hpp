#pragma once

// What `cluster analyze` looks at: the objects of a few kinds, read from a
// live cluster or from a dump (a folder or a .tgz archive written by
// `cluster dump`, in YAML or JSON).

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json.hpp>
#include <vector>

namespace ocne::diag {

struct ClusterSnapshot
{
  std::vector<nlohmann::json> nodes;
  std::vector<nlohmann::json> pods;
  std::vector<nlohmann::json> events;
  std::vector<nlohmann::json> clusters;           // cluster.x-k8s.io
  std::vector<nlohmann::json> control_planes;     // KubeadmControlPlane
  std::vector<nlohmann::json> machine_deployments;
  std::vector<nlohmann::json> machines;
};

Result<ClusterSnapshot> snapshot_live(k8s::Client& client);
// A folder or an archive (.tgz/.tar.gz) holding a dump.
Result<ClusterSnapshot> snapshot_from_dump(const fs::Path& path);

} // namespace ocne::diag
