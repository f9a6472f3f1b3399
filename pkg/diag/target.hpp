#pragma once

// Which cluster a diagnostics command looks at: an explicit kubeconfig (-k),
// a cluster ocne knows by name (-C, from ~/.ocne/clusters.yaml), else
// KUBECONFIG, else ~/.kube/config, as kubectl would.

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/state_dir.hpp"
#include "pkg/k8s/kubeconfig.hpp"

#include <optional>
#include <string>

namespace ocne::diag {

struct Target
{
  std::string kubeconfig;   // -k; empty when not given
  std::string cluster_name; // -C; empty when not given
};

Result<k8s::ClusterAccess> resolve_access(const Target& target, const Environment& env, const StateDir& state);

// Where a cluster ocne started through Cluster API is managed, from its
// record in the cluster cache (the keys providers/capi/journal.hpp writes).
struct ManagementRef
{
  std::string kubeconfig; // the management cluster's
  std::string namespace_; // of the Cluster object
  std::string cluster;    // its name
};

// The record is the one -C names, or the one whose kubeconfig -k gives;
// nullopt when there is none, it is not a Cluster API cluster, or it
// manages itself (then its own API has the objects).
Result<std::optional<ManagementRef>> management_of(const Target& target, const Environment& env, const StateDir& state);

} // namespace ocne::diag
