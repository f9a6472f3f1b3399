#pragma once

// The provider-independent shape of a cluster driver (libvirt, oci, oxide).
//
// cmd/ builds a driver for the cluster's provider from the resolved config
// and hands it to start_cluster() / delete_cluster() (lifecycle.hpp), which
// take the per-cluster lock, keep the cluster cache entry and roll back a
// failed start. The driver does the provider's work and records every object
// it creates through the ResourceTracker it is given, the moment it creates it.

#include "pkg/cluster/tracker.hpp"
#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::cluster {

// The kubeconfig files of a cluster.
struct KubeconfigPaths
{
  // What ocne and the user on this machine use; recorded in the cache as the
  // cluster's kubeconfig (libvirt: ~/.kube/kubeconfig.<name>.local).
  fs::Path host;
  // Another view, when there is one (libvirt: ~/.kube/kubeconfig.<name>.vm,
  // through the virtual IP, usable from the VM host's network).
  fs::Path internal;
};

struct StartContext
{
  std::string cluster_name;
  ResourceTracker& tracker;
  ProgressSink& progress;
};

enum class StartOutcome {
  created,         // this run made the cluster
  already_running, // it existed and answers; nothing was changed
};

struct StartResult
{
  StartOutcome outcome = StartOutcome::created;
  KubeconfigPaths kubeconfigs;
  // Lines for the user after a successful start (how to reach the cluster).
  std::vector<std::string> notes;
};

struct DeleteContext
{
  std::string cluster_name;
  // The cache entry (resources, state); empty resources for a cluster that
  // Oracle's ocne created (drivers may then find objects by naming rules).
  ClusterRecord record;
  ResourceTracker& tracker;
  ProgressSink& progress;
};

class Driver
{
public:
  virtual ~Driver() = default;

  // "libvirt", "oci", "oxide"
  virtual std::string_view provider() const = 0;
  // Where the kubeconfigs are (or will be) written.
  virtual KubeconfigPaths kubeconfigs() const = 0;
  // What can be checked before anything is recorded or written (credentials,
  // a management cluster that answers), so a start that cannot work leaves
  // no record behind. existing: the cache entry of an earlier start.
  virtual Status
  preflight(const ClusterRecord* /*existing*/)
  {
    return {};
  }
  // Creates the cluster's machines and waits until its Kubernetes API
  // answers; or finds the cluster running and changes nothing. Every object
  // created goes through ctx.tracker first.
  virtual Result<StartResult> start(StartContext& ctx) = 0;
  // Removes what ctx.record lists (and only that), forgetting each object in
  // ctx.tracker once it is gone. Idempotent: objects already gone are fine.
  virtual Status destroy(DeleteContext& ctx) = 0;
};

} // namespace ocne::cluster
