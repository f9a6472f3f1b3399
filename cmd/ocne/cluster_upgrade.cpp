// `ocne cluster upgrade`: a Cluster API cluster (oci, oxide) to the next
// Kubernetes minor or several (providers/capi/upgrade.hpp does the work);
// without -v, where an unfinished upgrade stands.

#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/providers.hpp"
#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/strings.hpp"
#include "providers/registry/registry.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ocne::cli {

namespace {

struct UpgradeFlags
{
  std::string name = "ocne";
  std::string version;
  bool dry_run = false;
  std::string output;
};

nlohmann::json
report_json(const std::string& name, bool dry_run, const providers::capi::UpgradeReport& r)
{
  nlohmann::json hops = nlohmann::json::array();
  for (const auto& h : r.hops) {
    nlohmann::json images = nlohmann::json::array();
    for (const auto& i : h.images) {
      images.push_back({ { "arch", i.arch }, { "id", i.id }, { "source", i.how } });
    }
    nlohmann::json durations = nlohmann::json::object();
    for (const auto& [step, seconds] : h.durations) {
      durations[step] = seconds;
    }
    hops.push_back({ { "from", h.from },
                     { "to", h.to },
                     { "images", images },
                     { "templates", { { "created", h.templates_created }, { "existing", h.templates_existing } } },
                     { "patches", h.patches },
                     { "machinesReplaced", h.machines_replaced },
                     { "durationSeconds", durations } });
  }
  nlohmann::json out = {
    { "name", name },         { "cluster", { { "namespace", r.namespace_ }, { "name", r.cluster } } },
    { "outcome", r.outcome }, { "from", r.from },
    { "target", r.target },   { "dryRun", dry_run },
    { "resumed", r.resumed }, { "hops", hops }
  };
  if (r.outcome == "unfinished") {
    out["unfinished"] = { { "hop", r.hop }, { "finishedSteps", r.finished_steps }, { "nextStep", r.next_step } };
  }
  return out;
}

void
print_text(const std::string& name, const providers::capi::UpgradeReport& r)
{
  if (r.outcome == "none") {
    println(fmt::format("Cluster {} has no unfinished upgrade", name));
    return;
  }
  if (r.outcome == "unfinished") {
    println(fmt::format("Cluster {}: the upgrade to {} is unfinished: hop {} -> {}; finished: {}; next: {}",
                        name,
                        r.target,
                        r.from.empty() ? "?" : r.from,
                        r.hop.empty() ? "?" : r.hop,
                        r.finished_steps.empty() ? "nothing" : str::join(r.finished_steps, ", "),
                        r.next_step.empty() ? "planning the next hop" : r.next_step));
    println(fmt::format("Run 'ocne cluster upgrade -C {} -v {}' to continue it", name, r.target));
    return;
  }
  if (r.outcome == "up to date") {
    println(fmt::format("Cluster {} runs Kubernetes {}: nothing to upgrade", name, r.target));
    return;
  }
  for (const auto& h : r.hops) {
    if (r.outcome == "dry run") {
      println(fmt::format("Would upgrade cluster {} from Kubernetes {} to {}:", name, h.from, h.to));
      for (const auto& i : h.images) {
        println(fmt::format("  boot image ({}): {}", i.arch, i.how));
      }
      for (const auto& t : h.templates_created) {
        println("  create " + t);
      }
      for (const auto& t : h.templates_existing) {
        println("  reuse " + t);
      }
      for (const auto& p : h.patches) {
        println("  patch " + p);
      }
      continue;
    }
    println(fmt::format("Upgraded cluster {} from Kubernetes {} to {}: {} machine{} replaced, {} template{} created",
                        name,
                        h.from,
                        h.to,
                        h.machines_replaced,
                        h.machines_replaced == 1 ? "" : "s",
                        h.templates_created.size(),
                        h.templates_created.size() == 1 ? "" : "s"));
  }
  if (r.outcome == "dry run") {
    println("Dry run: nothing was changed");
  }
}

void
run_upgrade(const UpgradeFlags& f, Context& ctx)
{
  auto cache = ClusterCache::load(ctx.state.clusters_file());
  if (!cache) {
    throw Fatal(cache.error());
  }
  const auto* record = cache->find(f.name);
  if (record == nullptr) {
    throw Fatal("cluster {} is not in the cluster cache ({}); cluster upgrade needs a cluster ocne started",
                f.name,
                ctx.state.clusters_file().string());
  }
  auto options = load_options(providers::default_for(providers::Command::start));
  options.cached_config = record->config_yaml;
  auto loaded = config::load(ctx.env, options);
  if (!loaded) {
    throw Fatal(
      loaded.error().with_context(fmt::format("cluster '{}' in {}", f.name, ctx.state.clusters_file().string())));
  }
  const auto& provider = loaded->config.provider.get();
  const auto& cloud = *value_or_throw(providers::get(provider));
  if (cloud.lifecycle() != providers::Lifecycle::cluster_api) {
    throw Fatal(
      "cluster upgrade is for clusters started through Cluster API (oci, oxide); {} is a {} cluster", f.name, provider);
  }
  if (f.dry_run && f.version.empty()) {
    throw Fatal("--dry-run needs -v/--version: the version to show the upgrade to");
  }
  const auto report = upgrade_capi(cloud, *loaded, ctx, f.version, f.dry_run);
  if (f.output == "json") {
    println(report_json(f.name, f.dry_run, report).dump(2));
    return;
  }
  print_text(f.name, report);
}

} // namespace

void
add_cluster_upgrade(CLI::App& cluster, Context& ctx)
{
  auto* cmd = cluster.add_subcommand(
    "upgrade", "Upgrade a Cluster API cluster (oci, oxide) to a newer Kubernetes minor, one minor at a time");
  auto f = std::make_shared<UpgradeFlags>();
  cmd->add_option("-C,--cluster-name", f->name, "Cluster name" + default_note("ocne"));
  cmd->add_option("-v,--version",
                  f->version,
                  "Kubernetes version to upgrade to (e.g. 1.34); without it, where an unfinished upgrade stands" +
                    default_note(""));
  cmd->add_flag("--dry-run", f->dry_run, "Print the templates and patches the upgrade would write; write nothing");
  cmd->add_option("-o,--output", f->output, "Print the result as json" + default_note("log lines"))
    ->check(CLI::IsMember({ "json" }));
  cmd->callback([f, &ctx] { run_upgrade(*f, ctx); });
}

} // namespace ocne::cli
