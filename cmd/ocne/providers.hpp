#pragma once

// What `cluster start`, `delete` and `upgrade` run for a cloud, once the
// configuration is loaded and validated: the cloud's own driver
// (Lifecycle::direct) or the Cluster API driver with the cloud's part
// (Lifecycle::cluster_api). Each lives in its own file.

#include "cmd/ocne/context.hpp"
#include "pkg/config/load.hpp"
#include "providers/api/cloud_provider.hpp"
#include "providers/capi/upgrade.hpp"

#include <string>

namespace ocne::cli {

// cluster_start_direct.cpp
void start_direct(const providers::CloudProvider& cloud, const config::LoadedConfig& loaded, Context& ctx);
// cluster_delete_direct.cpp
void delete_direct(const providers::CloudProvider& cloud, const config::LoadedConfig& loaded, Context& ctx);
// cluster_capi.cpp; output is "" or "json".
void start_capi(const providers::CloudProvider& cloud,
                const config::LoadedConfig& loaded,
                Context& ctx,
                const std::string& output);
void delete_capi(const providers::CloudProvider& cloud,
                 const config::LoadedConfig& loaded,
                 Context& ctx,
                 const std::string& output);
// target "": where an unfinished upgrade stands.
providers::capi::UpgradeReport upgrade_capi(const providers::CloudProvider& cloud,
                                            const config::LoadedConfig& loaded,
                                            Context& ctx,
                                            const std::string& target,
                                            bool dry_run);

} // namespace ocne::cli
