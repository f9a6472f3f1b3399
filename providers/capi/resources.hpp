#pragma once

// The Cluster API resources `cluster start` is about to apply (rendered from
// the template or the user's clusterDefinition), checked first: no
// placeholder left (a value ocne could not look up), every image id of the
// provider's form (OCI: an image OCID; Oxide: a UUID), and exactly one
// Cluster carrying the cluster-name label, whose namespace is where
// everything goes. Errors name the object and field.

#include "pkg/core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace ocne::providers::capi {

struct ClusterResources
{
  std::string cluster_name;
  std::string namespace_;
};

Result<ClusterResources> check_resources(const std::vector<nlohmann::json>& objects, const std::string& provider);

} // namespace ocne::providers::capi
