#pragma once

// Starting and deleting a cluster with any driver: the per-cluster lock
// (~/.ocne/locks/cluster-<name>.lock), the cluster cache entry, and what
// happens when a start fails.
//
// start_cluster:
//   - a cached cluster of another provider or Kubernetes version is an error;
//   - a cached cluster whose last start did not finish is an error that says
//     to delete it first;
//   - otherwise the entry is written (phase "creating") before the driver
//     runs, so every object the driver records is in the cache at once;
//   - when the driver fails, what it created is removed again and the entry
//     dropped, unless the failure is a timeout (the machines are kept for
//     inspection; not for a disposable cluster) or keep_on_failure is set;
//     then the entry stays with phase
//     "failed" and the error says how to remove it;
//   - on success the entry gets phase "running" and the host kubeconfig.
// delete_cluster: the driver removes what the entry lists; the entry goes
// when everything is gone, and otherwise keeps what is left.

#include "pkg/cluster/driver.hpp"
#include "pkg/cluster/phase.hpp"
#include "pkg/core/state_dir.hpp"

#include <chrono>
#include <string>

namespace ocne::cluster {

inline constexpr std::string_view k_state_provider = "provider";
inline constexpr std::string_view k_state_kubernetes_version = "kubernetesVersion";

struct StartRequest
{
  std::string name;
  std::string provider;
  std::string kubernetes_version;
  // The resolved configuration, as YAML, for the cache entry.
  std::string config_yaml;
  // Keep what a failed start created (to look at the machines).
  bool keep_on_failure = false;
  // The driver records its finished steps and continues an earlier start
  // that did not finish (killed, failed) instead of refusing it; a failed
  // start keeps everything recorded for the next run or a delete.
  bool resumable = false;
  // A cluster only ocne's own runs use (the ephemeral management cluster):
  // nothing of it is kept to look at. A failed start, a timeout included,
  // removes what it created; an earlier start that did not finish (killed,
  // failed) is removed by its record and started afresh instead of refused.
  bool disposable = false;
  std::chrono::milliseconds lock_timeout{ std::chrono::seconds(10) };
};

Result<StartResult> start_cluster(Driver& driver,
                                  const StartRequest& request,
                                  const StateDir& state,
                                  ProgressSink& progress);

struct DeleteRequest
{
  std::string name;
  std::chrono::milliseconds lock_timeout{ std::chrono::seconds(10) };
};

struct DeleteResult
{
  bool was_cached = false; // the cluster had a cache entry
};

Result<DeleteResult> delete_cluster(Driver& driver,
                                    const DeleteRequest& request,
                                    const StateDir& state,
                                    ProgressSink& progress);

// The lock file of a cluster.
fs::Path cluster_lock_path(const StateDir& state, std::string_view name);

} // namespace ocne::cluster
