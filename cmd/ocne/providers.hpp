#pragma once

// What `cluster start` and `cluster delete` run for each provider, once the
// configuration is loaded and validated. Each lives in its own file.

#include "cmd/ocne/context.hpp"
#include "pkg/config/load.hpp"
#include "providers/capi/upgrade.hpp"

#include <string>

namespace ocne::cli {

// cluster_start_libvirt.cpp
void start_libvirt(const config::LoadedConfig& loaded, Context& ctx);
// cluster_delete_libvirt.cpp
void delete_libvirt(const config::LoadedConfig& loaded, Context& ctx);
// cluster_capi.cpp (oci and oxide); output is "" or "json".
void start_capi(const config::LoadedConfig& loaded, Context& ctx, const std::string& output);
void delete_capi(const config::LoadedConfig& loaded, Context& ctx, const std::string& output);
// target "": where an unfinished upgrade stands.
providers::capi::UpgradeReport upgrade_capi(const config::LoadedConfig& loaded,
                                            Context& ctx,
                                            const std::string& target,
                                            bool dry_run);

} // namespace ocne::cli
