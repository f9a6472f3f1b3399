#pragma once

// The lookups `cluster template` (and `cluster start`) make for a template:
// compartment paths and OCI images, Oxide image names (the live resolver of
// pkg/cluster_templates). What cannot be looked up becomes a named
// placeholder and the reason goes to stderr (docs/templates.md).

#include "cmd/ocne/context.hpp"
#include "pkg/cluster_templates/resolver.hpp"
#include "pkg/config/load.hpp"

#include <memory>

namespace ocne::cli {

std::unique_ptr<cluster_templates::ResourceResolver> make_template_resolver(const Context& ctx,
                                                                            const config::LoadedConfig& loaded);

} // namespace ocne::cli
