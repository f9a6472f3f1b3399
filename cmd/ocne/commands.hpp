#pragma once

// One function per command; each adds its CLI11 subcommand, binds its flags
// and runs library code in its callback. Flag names follow Oracle's ocne.

#include "cmd/ocne/context.hpp"

#include <CLI/CLI.hpp>

namespace ocne::cli {

void add_cluster_start(CLI::App& cluster, Context& ctx);
void add_cluster_template(CLI::App& cluster, Context& ctx);
void add_cluster_delete(CLI::App& cluster, Context& ctx);
void add_cluster_list(CLI::App& cluster, Context& ctx);
void add_cluster_show(CLI::App& cluster, Context& ctx);
void add_cluster_info(CLI::App& cluster, Context& ctx);
void add_cluster_dump(CLI::App& cluster, Context& ctx);
void add_cluster_analyze(CLI::App& cluster, Context& ctx);
void add_cluster_backup(CLI::App& cluster, Context& ctx);
void add_cluster_console(CLI::App& cluster, Context& ctx);
void add_cluster_upgrade(CLI::App& cluster, Context& ctx);
void add_cluster_stage(CLI::App& cluster, Context& ctx);
void add_node_update(CLI::App& node, Context& ctx);
void add_image_create(CLI::App& image, Context& ctx);
void add_image_upload(CLI::App& image, Context& ctx);
void add_image_info(CLI::App& image, Context& ctx);
void add_completion(CLI::App& root, Context& ctx);
void add_info(CLI::App& root, Context& ctx);

} // namespace ocne::cli
