#pragma once

// The management (bootstrap) cluster that Cluster API providers (oci, oxide)
// run their controllers in: a kubeconfig the user configured, or else the
// ephemeral libvirt cluster "ocne-ephemeral" that ocne starts on this host,
// reuses when it exists, and removes when nothing needs it any more.

#include "pkg/cluster/driver.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/core/env.hpp"

#include <functional>
#include <optional>
#include <string>

namespace ocne::cluster {

// Which kubeconfig names the management cluster (ocne's order): the
// configured path (it must exist), else $TEST_KUBECONFIG, else the first
// existing file of $KUBECONFIG; nullopt means "use the ephemeral cluster"
// (~/.kube/config is never used implicitly, as in ocne).
// configured_key names the setting in errors ("providers.oci.kubeconfig").
Result<std::optional<fs::Path>> management_kubeconfig(const std::string& configured,
                                                      std::string_view configured_key,
                                                      const Environment& env);

// The name of the ephemeral cluster for a target cluster:
// ephemeralCluster.name, else "ocne-ephemeral".
std::string ephemeral_cluster_name(const config::ClusterConfig& target);

struct ManagementCluster
{
  fs::Path kubeconfig;
  bool ephemeral = false; // the ephemeral cluster is used
  bool created = false;   // and this command created it
  std::string name;       // the ephemeral cluster's name
};

// Starts (or reuses) the ephemeral cluster for target, the cluster that
// needs a management cluster; the cloud that runs it makes its
// configuration (providers/libvirt/ephemeral.hpp).
using EphemeralStarter = std::function<Result<StartResult>(const config::ClusterConfig& target)>;
// Deletes a cluster by name (libvirt driver and delete_cluster).
using EphemeralDeleter = std::function<Status(const std::string& name)>;

Result<ManagementCluster> ensure_management_cluster(const config::ClusterConfig& target,
                                                    const std::string& configured_kubeconfig,
                                                    std::string_view configured_key,
                                                    const Environment& env,
                                                    const EphemeralStarter& start);

// Removes the ephemeral cluster when it was used, this command created it,
// nothing needs it any more (an OCI cluster that is not self-managed keeps
// being managed from it) and ephemeralCluster.preserve is off. A cluster that
// existed before the command is never removed here (ocne removed it, even
// when it was managing other clusters).
Status release_management_cluster(const ManagementCluster& cluster,
                                  bool still_needed,
                                  bool preserve,
                                  const EphemeralDeleter& remove);

} // namespace ocne::cluster
