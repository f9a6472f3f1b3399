#pragma once

// What a move moves, as clusterctl's object graph: the Cluster API objects of
// the source cluster, their owners (owner references and soft ownership by
// naming convention or reference), and the order to create them in. The
// discovery (plan_move) and the move itself are in mover.hpp.

#include "pkg/k8s/object.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace ocne::clusterctl {

struct MoveNode
{
  k8s::ObjectRef ref;
  std::string uid;                      // in the source
  bool global = false;                  // cluster-scoped
  bool under_global = false;            // owned (transitively) by a cluster-scoped object
  bool copy_only = false;               // copied, never deleted from the source
  bool block_move = false;              // carried clusterctl.cluster.x-k8s.io/block-move when discovered
  std::vector<std::size_t> owners;      // indices into MovePlan::nodes
  std::vector<std::size_t> soft_owners; // by naming convention or reference
};

struct MovePlan
{
  std::string namespace_;
  std::string source;          // the source client's description
  std::vector<MoveNode> nodes; // only the nodes that move
  // Creation order: every node's owners sit in an earlier group.
  std::vector<std::vector<std::size_t>> groups;
  std::vector<std::size_t> clusters;
  std::vector<std::size_t> cluster_classes;
  // Owners that do not move (not a discovered type): their references are
  // resolved in the target by name, or dropped.
  std::vector<std::string> notes;

  // The plan as text, for --dry-run.
  std::string to_text() const;
};

} // namespace ocne::clusterctl
