#pragma once

// Lists Cluster API objects by kind at the version the server prefers, in
// every namespace; a cluster without Cluster API gives an empty list.

#include "pkg/core/error.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace ocne::diag {

// The Cluster API groups that hold these kinds.
inline constexpr const char* k_capi_group = "cluster.x-k8s.io";
inline constexpr const char* k_capi_control_plane_group = "controlplane.cluster.x-k8s.io";
inline constexpr const char* k_capi_bootstrap_group = "bootstrap.cluster.x-k8s.io";

// Objects of each kind in the order given, sorted by namespace and name
// within a kind. Kinds the server does not serve are skipped.
Result<std::vector<nlohmann::json>> list_capi(k8s::Client& client, const std::vector<std::string>& kinds);

} // namespace ocne::diag
