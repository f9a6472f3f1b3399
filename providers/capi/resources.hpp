#pragma once

// The Cluster API resources `cluster start` is about to apply (rendered from
// the template or the user's clusterDefinition), checked first: no
// placeholder left (a value ocne could not look up), every image id of the
// cloud's form (its ImageIdRule: OCI wants an image OCID, Oxide a UUID), and exactly one
// Cluster carrying the cluster-name label, whose namespace is where
// everything goes. Errors name the object and field.

#include "pkg/core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::providers::capi {

struct ClusterResources
{
  std::string cluster_name;
  std::string namespace_;
};

// A cloud's image-id rule: for a string field (its last name, "imageId",
// and value), what is wrong with it ("not an OCI image OCID"), or "".
using ImageIdRule = std::function<std::string(std::string_view leaf, std::string_view value)>;

Result<ClusterResources> check_resources(const std::vector<nlohmann::json>& objects, const ImageIdRule& image_id);

} // namespace ocne::providers::capi
