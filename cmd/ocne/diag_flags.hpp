#pragma once

// Flags shared by the commands that look inside a cluster: which cluster
// (-k kubeconfig or -C a cluster ocne knows) and a client for it.

#include "cmd/ocne/context.hpp"
#include "pkg/diag/target.hpp"
#include "pkg/k8s/client.hpp"

#include <CLI/CLI.hpp>

#include <memory>

namespace ocne::cli {

void add_target_flags(CLI::App& cmd, diag::Target& target);

// A client for the target; throws Fatal when its kubeconfig cannot be used.
std::unique_ptr<k8s::Client> target_client(const diag::Target& target, const Context& ctx);

} // namespace ocne::cli
