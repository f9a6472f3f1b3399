#pragma once

// The libvirt side of the ephemeral management cluster: what
// pkg/cluster/ephemeral.hpp's ensure_management_cluster() and
// release_management_cluster() call to start and delete it.
//
//   auto mc = cluster::ensure_management_cluster(target, configured, "providers.oci.kubeconfig", env,
//                                                providers::libvirt::ephemeral_starter(env, state, progress));
//   ... use mc->kubeconfig ...
//   cluster::release_management_cluster(*mc, still_needed, preserve,
//                                       providers::libvirt::ephemeral_deleter(target, env, state, progress));

#include "pkg/cluster/ephemeral.hpp"
#include "providers/libvirt/driver.hpp"

#include <functional>

namespace ocne::providers::libvirt {

// The configuration of the ephemeral cluster for a target cluster: libvirt,
// one control-plane node sized by ephemeralCluster.node and no workers,
// headless, no catalogs or applications, flannel, the target's boot image,
// Kubernetes version and osTag (ocne used its default version with the
// target's image), the target's proxy, registry and SSH key.
config::ClusterConfig ephemeral_cluster_config(const config::ClusterConfig& target);

struct EphemeralHooks
{
  // The driver's dependencies for each run (tests: fakes); empty = real.
  std::function<DriverDeps()> deps;
  // Adjusts the options mapped from the config (domain type, tests).
  std::function<void(Options&)> adjust;
};

cluster::EphemeralStarter ephemeral_starter(const Environment& env,
                                            const StateDir& state,
                                            ProgressSink& progress,
                                            EphemeralHooks hooks = {});

// target: the cluster the ephemeral one was made for (its ephemeralCluster
// settings name and size it).
cluster::EphemeralDeleter ephemeral_deleter(const config::ClusterConfig& target,
                                            const Environment& env,
                                            const StateDir& state,
                                            ProgressSink& progress,
                                            EphemeralHooks hooks = {});

} // namespace ocne::providers::libvirt
