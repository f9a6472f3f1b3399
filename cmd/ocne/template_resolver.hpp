#pragma once

// The lookups `cluster template` (and `cluster start`) make for a template:
// compartment paths and OCI images, Oxide image names. Until the OCI and
// Oxide clients are wired in here, nothing is looked up and the reason says
// whether credentials were found at all; the template then carries
// placeholders (docs/templates.md).

#include "cmd/ocne/context.hpp"
#include "pkg/capi/resolver.hpp"
#include "pkg/config/cluster_config.hpp"

#include <memory>

namespace ocne::cli {

std::unique_ptr<capi::ResourceResolver> make_template_resolver(const Context& ctx, const config::ClusterConfig& config);

} // namespace ocne::cli
