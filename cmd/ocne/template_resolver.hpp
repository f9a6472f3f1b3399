#pragma once

// The lookups `cluster template` (and `cluster start`) make for a template:
// compartment paths and OCI images, Oxide image names (pkg/capi's live
// resolver). What cannot be looked up becomes a named placeholder and the
// reason goes to stderr (docs/templates.md).

#include "cmd/ocne/context.hpp"
#include "pkg/capi/resolver.hpp"
#include "pkg/config/load.hpp"

#include <memory>

namespace ocne::cli {

std::unique_ptr<capi::ResourceResolver> make_template_resolver(const Context& ctx, const config::LoadedConfig& loaded);

} // namespace ocne::cli
