// `ocne cluster stage`: the next Kubernetes minor for clusters whose OCK
// nodes update in place (pkg/upgrade/stage.hpp). Cluster API clusters are
// upgraded by `ocne cluster upgrade`; for them stage says so and writes
// nothing.

#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/diag_flags.hpp"
#include "pkg/core/cluster_cache.hpp"
#include "pkg/upgrade/stage.hpp"
#include "providers/registry/registry.hpp"

#include <fmt/format.h>

namespace ocne::cli {

namespace {

struct StageFlags
{
  diag::Target target;
  std::string config_file;
  std::string version;
  std::string transport;
  std::string os_registry;
};

bool
cluster_api_provider(const std::string& provider)
{
  const auto* cloud = providers::find(provider);
  return cloud != nullptr && cloud->lifecycle() == providers::Lifecycle::cluster_api;
}

void
point_to_upgrade(const std::string& name, const std::string& version)
{
  println(fmt::format("Cluster {} is managed by Cluster API: staging does not apply; run 'ocne cluster upgrade -C {} "
                      "-v {}'",
                      name,
                      name,
                      version));
}

// The provider of a cluster in the cluster cache ("" when it is not there).
std::string
cached_provider(const std::string& name, const Context& ctx)
{
  auto cache = ClusterCache::load(ctx.state.clusters_file());
  if (!cache) {
    throw Fatal(cache.error());
  }
  const auto* record = cache->find(name);
  if (record == nullptr) {
    return "";
  }
  auto options = load_options(providers::default_for(providers::Command::start));
  options.cached_config = record->config_yaml;
  auto loaded = config::load(ctx.env, options);
  if (!loaded) {
    throw Fatal(
      loaded.error().with_context(fmt::format("cluster '{}' in {}", name, ctx.state.clusters_file().string())));
  }
  return loaded->config.provider.get();
}

void
run_stage(StageFlags f, Context& ctx)
{
  std::string name = f.target.cluster_name;
  if (!f.config_file.empty()) {
    const auto loaded =
      load_config(ctx, f.config_file, config::Layer{}, providers::default_for(providers::Command::start));
    name = loaded.config.name.get();
    if (cluster_api_provider(loaded.config.provider.get())) {
      point_to_upgrade(name, f.version);
      return;
    }
    f.target.cluster_name = name;
  }
  if (!f.target.cluster_name.empty()) {
    const auto provider = cached_provider(f.target.cluster_name, ctx);
    if (provider.empty()) {
      throw Fatal("Cluster {} is not in the cache ({})", f.target.cluster_name, ctx.state.clusters_file().string());
    }
    if (cluster_api_provider(provider)) {
      point_to_upgrade(f.target.cluster_name, f.version);
      return;
    }
  }
  auto client = target_client(f.target, ctx);
  upgrade::StageOptions options{ .version = f.version, .os_registry = f.os_registry, .transport = f.transport };
  auto report = upgrade::stage_cluster(*client, options, ctx.progress_sink());
  if (!report) {
    throw Fatal(report.error());
  }
  if (report->cluster_api) {
    point_to_upgrade(name.empty() ? "<name>" : name, f.version);
    return;
  }
  for (const auto& n : report->nodes) {
    println(fmt::format("Node {}: {}{}", n.node, n.outcome, n.error.empty() ? "" : " (" + n.error + ")"));
  }
  println(fmt::format("kubeadm-config: kubernetesVersion {}{}",
                      report->kubernetes_version,
                      report->kubeadm_config_changed ? "" : " (already set)"));
  println(fmt::format("Staged Kubernetes {}. The nodes download it now; once 'ocne cluster info' shows their updates, "
                      "run 'ocne node update --node all'",
                      report->version));
}

} // namespace

void
add_cluster_stage(CLI::App& cluster, Context& ctx)
{
  auto* cmd = cluster.add_subcommand(
    "stage", "Stage a newer Kubernetes minor on a cluster's OCK nodes (libvirt); 'node update' then applies it");
  auto f = std::make_shared<StageFlags>();
  add_target_flags(*cmd, f->target);
  auto* c = cmd->add_option("-c,--config", f->config_file, "Cluster configuration file" + default_note(""));
  c->excludes(cmd->get_option("--cluster-name"));
  c->excludes(cmd->get_option("--kubeconfig"));
  cmd->add_option("-v,--version", f->version, "Kubernetes minor version to stage (e.g. 1.34)")->required();
  cmd->add_option("-t,--transport",
                  f->transport,
                  "ostree transport written to the nodes' update.yaml (e.g. ostree-unverified-registry)" +
                    default_note("unchanged"));
  cmd->add_option("-r,--os-registry",
                  f->os_registry,
                  "Registry of the OCK ostree images, without a tag, written to the nodes' update.yaml" +
                    default_note("unchanged"));
  cmd->callback([f, &ctx] { run_stage(*f, ctx); });
}

} // namespace ocne::cli
