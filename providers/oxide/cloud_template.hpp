#pragma once

// Oxide's part of a cluster template (pkg/cluster_templates/cloud_template.hpp):
// capi-oxide.yaml, its OXIDE_* variables, the image lookup by name, and the
// warning when the bootstrap data will not fit in Oxide's user data.

#include "pkg/cluster_templates/cloud_template.hpp"
#include "providers/oxide/lookups.hpp"

#include <cstddef>
#include <memory>

namespace ocne::providers::oxide {

// Oxide hands the bootstrap data to the instance as user data, at most
// 32 KiB (on top of ocne's additionalConfig comes Cluster API's own part,
// cluster_templates::k_capi_ignition_overhead).
inline constexpr std::size_t k_user_data_limit = 32768;

// With these lookups (nullptr when nothing will be looked up).
std::unique_ptr<cluster_templates::CloudTemplate> make_cloud_template(std::shared_ptr<Lookups> lookups);

} // namespace ocne::providers::oxide
