#pragma once

// Moving Cluster API objects from one management cluster to another, the
// way `clusterctl move` does it:
//  1. discover the object graph: every type whose CRD carries the
//     clusterctl.cluster.x-k8s.io label, plus Secrets and ConfigMaps; owner
//     references are edges; Secrets named <cluster>-{kubeconfig,ca,etcd,sa,
//     proxy,apiserver-etcd-client} are soft-owned by their Cluster;
//  2. what moves: everything reachable from a Cluster, ClusterClass,
//     ClusterResourceSet or move-hierarchy root, and whatever is labelled
//     clusterctl.cluster.x-k8s.io/move;
//  3. refuse to start while a Cluster is still provisioning or a Machine has
//     no node yet ("cannot start the move operation ...", ErrorKind::not_ready:
//     retry later);
//  4. pause the Clusters (spec.paused) and ClusterClasses (annotation), wait
//     for block-move annotations to go away;
//  5. create in the target group by group, owners before dependents, with
//     owner references pointing at the new UIDs;
//  6. delete from the source in reverse order (delete-for-move annotation,
//     finalizers stripped), cluster-scoped objects excepted;
//  7. unpause in the target.
// A failure before the source lost anything rolls the target back and
// unpauses the source. Status is not copied (clusterctl does not either:
// controllers rebuild it).

#include "pkg/clusterctl/object_graph.hpp"
#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ocne::clusterctl {

// Set on a Cluster in the same write that pauses it for a move, so a move
// killed right after pausing knows the pause is its own; removed on unpause.
inline constexpr const char* k_paused_for_move_annotation = "ocne.oracle.com/paused-for-move";

struct MoveOptions
{
  // The namespace to move; empty moves every namespace.
  std::string namespace_;
  // How long to wait for clusterctl.cluster.x-k8s.io/block-move to go away.
  std::chrono::milliseconds block_move_timeout{ std::chrono::minutes(2) };
  // Refuse while Clusters are provisioning or Machines have no nodeRef.
  bool check_provisioned = true;
  // Compare the clusterctl provider inventories of source and target.
  bool check_providers = true;
  // Attempts per object operation on transient errors.
  int attempts = 5;
  std::chrono::milliseconds retry_delay{ 500 };
  Clock* clock = nullptr; // null: real_clock()
};

struct MoveReport
{
  MovePlan plan;
  std::vector<k8s::ObjectRef> created;  // in the target
  std::vector<k8s::ObjectRef> existing; // already in the target (updated or kept)
  std::vector<k8s::ObjectRef> deleted;  // from the source
};

// Discovers what would move and in which order. Reads only.
Result<MovePlan> plan_move(k8s::Client& source, const MoveOptions& options);

// Runs the move. The error of a failed move says what happened to the source
// and the target.
Result<MoveReport> move(k8s::Client& source, k8s::Client& target, const MoveOptions& options, ProgressSink& progress);

} // namespace ocne::clusterctl
