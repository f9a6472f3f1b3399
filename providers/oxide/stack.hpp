#pragma once

// Oxide's Cluster API stack: upstream cert-manager and core 1.13 with
// Oracle's kubeadm bootstrap and control plane (pkg/clusterctl/stack.hpp)
// and CAPOx.

#include "pkg/clusterctl/stack.hpp"

namespace ocne::providers::oxide {

const clusterctl::Stack& stack();

} // namespace ocne::providers::oxide
