#pragma once

// Oxide's part of a cluster template (pkg/cluster_templates/cloud_template.hpp):
// capi-oxide.yaml, its OXIDE_* variables, the image lookup by name, and the
// warning when the bootstrap data will not fit in Oxide's user data.

#include "pkg/cluster_templates/cloud_template.hpp"

#include <cstddef>

namespace ocne::providers::oxide {

// Oxide hands the bootstrap data to the instance as user data, at most
// 32 KiB (on top of ocne's additionalConfig comes Cluster API's own part,
// cluster_templates::k_capi_ignition_overhead).
inline constexpr std::size_t k_user_data_limit = 32768;

const cluster_templates::CloudTemplate& cloud_template();

} // namespace ocne::providers::oxide
