#pragma once

// Which cluster a diagnostics command looks at: an explicit kubeconfig (-k),
// a cluster ocne knows by name (-C, from ~/.ocne/clusters.yaml), else
// KUBECONFIG, else ~/.kube/config, as kubectl would.

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/state_dir.hpp"
#include "pkg/k8s/kubeconfig.hpp"

#include <string>

namespace ocne::diag {

struct Target
{
  std::string kubeconfig;   // -k; empty when not given
  std::string cluster_name; // -C; empty when not given
};

Result<k8s::ClusterAccess> resolve_access(const Target& target, const Environment& env, const StateDir& state);

} // namespace ocne::diag
