#pragma once

// Where a cluster's lifecycle stands, as its cache entry records it (state
// key "phase"): written by start_cluster and delete_cluster (lifecycle.hpp),
// read by the drivers.

#include "pkg/core/cluster_cache.hpp"

#include <string_view>

namespace ocne::cluster {

inline constexpr std::string_view k_state_phase = "phase";

enum class Phase {
  none,     // no phase recorded (an entry older than phases)
  creating, // a start is running, or stopped before it finished
  running,  // the last start finished
  failed,   // the last start failed
  deleting, // a delete is running, or stopped before it finished
};

std::string_view to_string(Phase phase);
// The recorded phase; none when there is none (or one this version does not know).
Phase phase_of(const ClusterRecord& record);

} // namespace ocne::cluster
