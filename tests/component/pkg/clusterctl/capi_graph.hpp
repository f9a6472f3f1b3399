#pragma once

// A full Cluster API object graph for move tests: a Cluster with its
// OCICluster (and identity), KubeadmControlPlane, MachineDeployment,
// MachineSet, Machines, OCIMachines, KubeadmConfigs and their Secrets.

#include "tests/servers/kube/kube_server.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ocne::clusterctl::test {

// Loads the CAPI and CAPOCI CRDs from ../shared into the server, labelled
// for clusterctl as `clusterctl init` would (label = false leaves them bare).
void load_capi_crds(ocne::test::kube::KubeTestServer& server, bool label = true);

struct CapiGraph
{
  std::string ns;
  std::string cluster;
  // Every object created, as (apiVersion, kind, name) in ns.
  std::vector<nlohmann::json> objects;
  // Objects that must move (and leave the source).
  std::vector<nlohmann::json> moving;
  // Objects that are copied but stay in the source (identity and its secret).
  std::vector<nlohmann::json> shared;
  // Objects that must stay untouched in the source.
  std::vector<nlohmann::json> staying;
};

// Creates the graph (provisioned: infrastructure ready, control plane
// initialized, Machines with nodeRefs unless provisioned is false).
CapiGraph make_capi_graph(ocne::test::kube::KubeTestServer& server,
                          const std::string& ns,
                          const std::string& cluster,
                          int workers,
                          bool provisioned = true);

} // namespace ocne::clusterctl::test
