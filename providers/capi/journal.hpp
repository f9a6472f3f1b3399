#pragma once

// The Cluster API driver's record in the cluster cache (state keys of the
// cluster's entry), read as one typed value: which steps are finished, where
// the management cluster is, the Cluster's namespace and name, the boot
// image ids, whether the objects moved into the cluster itself. A killed run
// reads it to continue (steps.hpp decides how).

#include "pkg/cluster/phase.hpp"
#include "pkg/cluster/tracker.hpp"
#include "providers/capi/cloud_session.hpp"

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace ocne::providers::capi {

// The steps of a start, in order (steps.hpp has what each one means).
enum class Step {
  management,
  components,
  images,
  apply,
  workload,
  addons,
  nodes,
  pivot,
};

std::string_view to_string(Step step);
std::optional<Step> step_named(std::string_view name);

namespace journal {

inline constexpr std::string_view k_step_prefix = "capi.step.";
inline constexpr std::string_view k_management = "capi.management";
inline constexpr std::string_view k_ephemeral = "capi.ephemeral"; // "created" or "reused"
// A delete started the ephemeral cluster to move a self-managed cluster's
// objects back into: it removes it at the end.
inline constexpr std::string_view k_delete_ephemeral = "capi.deleteEphemeral";
inline constexpr std::string_view k_namespace = "capi.namespace";
inline constexpr std::string_view k_cluster = "capi.cluster";
inline constexpr std::string_view k_pivoted = "capi.pivoted";
inline constexpr std::string_view k_image_prefix = "capi.image.";

inline constexpr std::string_view k_created = "created";
inline constexpr std::string_view k_reused = "reused";

} // namespace journal

// What the record says.
struct Journal
{
  cluster::Phase phase = cluster::Phase::none;
  std::set<Step> done;    // steps a run finished
  std::string management; // the management cluster's kubeconfig
  std::string ephemeral;  // "created" (by a start of this cluster), "reused" or ""
  bool delete_ephemeral = false;
  std::string namespace_; // of the Cluster, once apply chose it
  std::string cluster;    // the Cluster's name, recorded before anything is applied
  bool pivoted = false;   // the objects live in the cluster itself
  KnownImages images;     // boot image ids by architecture

  bool
  finished(Step step) const
  {
    return done.count(step) > 0;
  }
  // Whether anything of the cluster may exist in a management cluster:
  // apply records the Cluster's name before it creates anything.
  bool
  applied_anything() const
  {
    return !cluster.empty() || pivoted;
  }
};

Journal read_journal(const ClusterRecord& record);

// Writing it (each call saves the cache at once).
Status record_done(cluster::ResourceTracker& tracker, Step step);
Status clear_done(cluster::ResourceTracker& tracker, Step step);

} // namespace ocne::providers::capi
