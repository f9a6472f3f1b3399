#pragma once

// Pieces start and delete share (driver_start.cpp, driver_delete.cpp).

#include "pkg/k8s/client.hpp"
#include "providers/capi/driver.hpp"

#include <memory>

namespace ocne::providers::capi::detail {

// A client for the cluster behind a kubeconfig file.
Result<std::unique_ptr<k8s::Client>> client_for(const fs::Path& kubeconfig);

// The provider's Cluster API stack in a cluster (no writes when in place).
Status install_stack(k8s::Client& client,
                     const CapiOptions& options,
                     CloudSession& flavor,
                     CapiReport& report,
                     ProgressSink& progress);

// clusterctl move of the namespace, tried again while the objects are still
// being provisioned (the move answers ErrorKind::not_ready), until the timeout.
Status move_objects(k8s::Client& from,
                    k8s::Client& to,
                    const std::string& namespace_,
                    const CapiOptions& options,
                    ProgressSink& progress);

// Removes the ephemeral cluster a start or delete created once nothing needs
// it (unless ephemeralCluster.preserve); returns whether it was removed.
Result<bool> release_ephemeral(const CapiOptions& options, const std::string& kubeconfig);

} // namespace ocne::providers::capi::detail
