#pragma once

// Checks that the objects of a rendered cluster refer to each other
// correctly: every reference (Cluster -> infrastructure and control plane,
// control plane -> machine template, MachineDeployment -> bootstrap and
// infrastructure templates, clusterName fields) names an object in the same
// output with that kind, API group (and version, for v1beta1 references),
// name and namespace; every object is reachable from the Cluster; all objects
// share one namespace; cluster-name labels name the Cluster.

#include <string>
#include <string_view>
#include <vector>

namespace ocne::test {

// One message per problem; empty when everything resolves. Objects without
// metadata.namespace count as being in default_namespace (where clusterctl
// or kubectl -n would create them).
std::vector<std::string> check_references(std::string_view yaml, std::string_view default_namespace = "");

} // namespace ocne::test
