#pragma once

// Pods ocne runs in a cluster (for backups, consoles and node files) carry
// these labels and a deadline, so they are recognised, left out of dumps,
// and swept by the next run when a run was killed.

#include <nlohmann/json_fwd.hpp>

namespace ocne::diag {

inline constexpr const char* k_managed_by_label = "app.kubernetes.io/managed-by";
inline constexpr const char* k_managed_by_value = "ocne";
inline constexpr const char* k_purpose_label = "ocne.oracle.com/purpose";

bool is_ocne_pod(const nlohmann::json& pod);

} // namespace ocne::diag
