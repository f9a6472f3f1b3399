#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/providers.hpp"
#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/log.hpp"
#include "providers/registry/registry.hpp"

namespace ocne::cli {

namespace {

struct DeleteOptions
{
  std::string config_file;
  std::string output;
  ConfigFlags flags;        // keys that may override what start recorded
  ConfigFlags select_flags; // -C and -P: which cluster
};

void
run_delete(const DeleteOptions& o, Context& ctx)
{
  // Which cluster: -C, else the name in the -c file, else "ocne".
  auto flags = o.select_flags.layer();
  config::merge_into(flags, o.flags.layer());
  auto selected = load_config(ctx, o.config_file, flags, providers::default_for(providers::Command::start));
  const auto name = selected.config.name.get();
  auto cache = ClusterCache::load(ctx.state.clusters_file());
  if (!cache) {
    throw Fatal(cache.error());
  }
  config::LoadedConfig loaded;
  if (const auto* record = cache->find(name); record != nullptr && !record->config_yaml.empty()) {
    // A known cluster is deleted with the configuration that started it.
    auto options = load_options(providers::default_for(providers::Command::start));
    options.cached_config = record->config_yaml;
    options.flags = o.flags.layer();
    auto l = config::load(ctx.env, options);
    if (!l) {
      throw Fatal(l.error().with_context(fmt::format("cluster '{}' in {}", name, ctx.state.clusters_file().string())));
    }
    loaded = std::move(*l);
  } else {
    log::info("Cluster {} is not in the cluster cache; using the configuration given", name);
    loaded = std::move(selected);
  }
  throw_on_error(config::validate_for(loaded, config::Purpose::delete_));
  const auto& cloud = *value_or_throw(providers::get(loaded.config.provider.get()));
  if (cloud.lifecycle() == providers::Lifecycle::direct) {
    if (!o.output.empty()) {
      throw Fatal("-o json is for oci and oxide clusters");
    }
    delete_direct(cloud, loaded, ctx);
    return;
  }
  delete_capi(cloud, loaded, ctx, o.output);
}

} // namespace

void
add_cluster_delete(CLI::App& cluster, Context& ctx)
{
  auto* cmd = cluster.add_subcommand("delete", "Delete a cluster and everything its start created");
  auto o = std::make_shared<DeleteOptions>();
  cmd->add_option("-c,--config", o->config_file, "Cluster configuration file" + default_note(""));
  cmd->add_option("-o,--output", o->output, "Print the result as json (oci and oxide)" + default_note("log lines"))
    ->check(CLI::IsMember({ "json" }));
  o->flags.add(*cmd, "-k,--kubeconfig", "kubeconfig", "Kubeconfig of the management cluster");
  for (const auto* cloud : providers::all()) {
    for (const auto& alias : cloud->delete_flags()) {
      o->flags.add(*cmd, alias.names, alias.key, alias.help);
    }
  }
  o->select_flags.add(*cmd, "-C,--cluster-name", "name", "Cluster name", "ocne");
  o->select_flags.add(*cmd,
                      "-P,--provider",
                      "provider",
                      "Provider of a cluster that is not in the cache",
                      providers::default_for(providers::Command::start));
  cmd->callback([o, &ctx] { run_delete(*o, ctx); });
}

} // namespace ocne::cli
