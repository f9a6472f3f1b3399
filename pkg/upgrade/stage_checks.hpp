#pragma once

// The checks `cluster stage` makes before it writes anything (pure).

#include "pkg/core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::upgrade {

inline constexpr const char* k_machine_annotation = "cluster.x-k8s.io/machine";

// A minor such as "1.34" that ocne's version table knows.
Status check_stage_version(std::string_view version);

// "v1.33.5+1.el8" -> 33; nullopt when it is not such a version.
std::optional<int> kubelet_minor(std::string_view kubelet_version);

// Oracle's rule: the kubelets are at most one minor apart; with one minor M
// the target is M or M+1, with two (M and M+1) it is M+1.
Status check_stage_skew(const std::vector<std::string>& kubelet_versions, std::string_view target);

// Whether any node is a Cluster API Machine's.
bool managed_by_cluster_api(const std::vector<nlohmann::json>& nodes);

} // namespace ocne::upgrade
