#pragma once

// OCI's Cluster API stack: cert-manager and Oracle's core, bootstrap and
// control plane (pkg/clusterctl/stack.hpp) with CAPOCI, in ocne's order.

#include "pkg/clusterctl/stack.hpp"

namespace ocne::providers::oci {

const clusterctl::Stack& stack();

} // namespace ocne::providers::oci
