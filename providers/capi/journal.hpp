#pragma once

// The Cluster API driver's record in the cluster cache (state keys of the
// cluster's entry): which steps are finished, where the management cluster
// is, the Cluster's namespace and name, the boot image ids, whether the
// objects moved into the cluster itself. A killed run reads it to continue.

#include "pkg/cluster/tracker.hpp"

#include <string>
#include <string_view>

namespace ocne::providers::capi::journal {

inline constexpr std::string_view k_management = "capi.management";
inline constexpr std::string_view k_ephemeral = "capi.ephemeral"; // "created" or "reused"
// A delete started the ephemeral cluster to move a self-managed cluster's
// objects back into: it removes it at the end.
inline constexpr std::string_view k_delete_ephemeral = "capi.deleteEphemeral";
inline constexpr std::string_view k_namespace = "capi.namespace";
inline constexpr std::string_view k_cluster = "capi.cluster";
inline constexpr std::string_view k_pivoted = "capi.pivoted";
inline constexpr std::string_view k_image_prefix = "capi.image.";

inline std::string
get(const ClusterRecord& record, std::string_view key)
{
  const auto it = record.state.find(std::string(key));
  return it == record.state.end() ? std::string() : it->second;
}

inline std::string
step_key(std::string_view step)
{
  return "capi.step." + std::string(step);
}

inline bool
done(const ClusterRecord& record, std::string_view step)
{
  return get(record, step_key(step)) == "done";
}

} // namespace ocne::providers::capi::journal
