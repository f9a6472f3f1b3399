// `ocne cluster start`, `delete` and `upgrade` for oci and oxide: the
// Cluster API driver (providers/capi) with the provider's flavor, the
// ephemeral libvirt cluster as the fallback management cluster, and the
// result as log lines or, with --output json, one JSON document on stdout.

#include "cmd/ocne/env_number.hpp"
#include "cmd/ocne/image_common.hpp"
#include "cmd/ocne/providers.hpp"
#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/layer.hpp"
#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "providers/capi/driver.hpp"
#include "providers/capi/upgrade.hpp"
#include "providers/registry/registry.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <map>

namespace ocne::cli {

namespace {

providers::capi::CapiOptions
capi_options(const providers::CloudProvider& cloud, const config::LoadedConfig& loaded, Context& ctx)
{
  const auto& c = loaded.config;
  providers::capi::CapiOptions o;
  o.config = c;
  o.env = ctx.env;
  const auto settings = cloud.capi_settings(c);
  if (!settings.kubeconfig.empty()) {
    o.configured_kubeconfig = settings.kubeconfig;
    o.configured_key = loaded.subject(settings.kubeconfig_key);
  } else {
    o.configured_kubeconfig = c.kubeconfig.get();
    o.configured_key = loaded.subject("kubeconfig");
  }
  o.kubeconfig_path = ctx.env.home() / ".kube" / ("kubeconfig." + c.name.get());
  o.self_managed = settings.self_managed;
  o.controller_proxy = { settings.https_proxy, settings.http_proxy, settings.no_proxy };
  o.stack = cloud.stack();
  // The ephemeral cluster, when no management cluster is configured.
  auto local = value_or_throw(providers::local_management_cluster(c, ctx.env, ctx.state, ctx.progress_sink()));
  o.start_ephemeral = std::move(local.start);
  o.delete_ephemeral = std::move(local.remove);
  // Every wait ends by OCNE_CAPI_TIMEOUT seconds when it is set (pipelines
  // with their own budget, and tests); OCNE_CAPI_POLL_MS sets how often the
  // clusters are asked.
  constexpr long long k_day = 24 * 3600;
  if (const std::chrono::milliseconds t = std::chrono::seconds(env_number(ctx.env, "OCNE_CAPI_TIMEOUT", 0, 1, k_day));
      t.count() > 0) {
    for (auto* timeout : { &o.components_timeout,
                           &o.workload_timeout,
                           &o.nodes_timeout,
                           &o.addons_timeout,
                           &o.move_timeout,
                           &o.delete_timeout }) {
      *timeout = std::min(*timeout, t);
    }
  }
  o.interval = std::chrono::milliseconds(env_number(ctx.env, "OCNE_CAPI_POLL_MS", o.interval.count(), 1, k_day * 1000));
  // A crash at a named point ("apply", "apply done"): how the tests check
  // that a run killed anywhere continues where it stopped.
  if (const auto at = ctx.env.get_nonempty("OCNE_TEST_KILL_AT")) {
    o.checkpoint = [point = *at](std::string_view reached) {
      if (reached == point) {
        std::raise(SIGKILL);
      }
    };
  }
  return o;
}

// The cloud's part of the Cluster API driver.
std::unique_ptr<providers::capi::CloudSession>
flavor_for(const providers::CloudProvider& cloud, const config::LoadedConfig& loaded, Context& ctx)
{
  // The boot disk the cloud's images are built from. The settings are made
  // here, on this thread: the builds run in parallel and report failures as
  // values.
  providers::ProviderContext context{ loaded, ctx.env, ctx.state, ctx.progress_sink(), {} };
  for (const auto* arch : { "amd64", "arm64" }) {
    try {
      context.boot_images.emplace(arch, boot_image_options(ctx, loaded, "", arch));
    } catch (const Fatal& e) {
      context.boot_images.emplace(arch, tl::unexpected(e.error()));
    }
  }
  return value_or_throw(cloud.open(context));
}

nlohmann::json
report_json(const std::string& name,
            const std::string& provider,
            const std::string& outcome,
            const std::string& kubeconfig,
            const providers::capi::CapiReport& r)
{
  nlohmann::json images = nlohmann::json::array();
  for (const auto& i : r.images) {
    images.push_back({ { "arch", i.arch }, { "id", i.id }, { "source", i.how } });
  }
  return {
    { "name", name },
    { "provider", provider },
    { "outcome", outcome },
    { "kubeconfig", kubeconfig },
    { "cluster", { { "namespace", r.namespace_ }, { "name", r.cluster } } },
    { "management",
      { { "kubeconfig", r.management_kubeconfig },
        { "ephemeral", r.ephemeral },
        { "ephemeralCreated", r.ephemeral_created },
        { "ephemeralRemoved", r.ephemeral_removed } } },
    { "resumedAfter", r.resumed_after },
    { "components", { { "installed", r.components_installed }, { "present", r.components_present } } },
    { "images", images },
    { "objects", { { "created", r.objects_created }, { "existing", r.objects_existing } } },
    { "secrets", r.secrets },
    { "selfManaged", r.self_managed },
    { "pivoted", r.pivoted },
  };
}

} // namespace

void
start_capi(const providers::CloudProvider& cloud,
           const config::LoadedConfig& loaded,
           Context& ctx,
           const std::string& output)
{
  const auto& c = loaded.config;
  const std::string name = c.name.get();
  const std::string provider = c.provider.get();
  providers::capi::CapiDriver driver(capi_options(cloud, loaded, ctx), flavor_for(cloud, loaded, ctx));
  cluster::StartRequest request;
  request.name = name;
  request.provider = provider;
  request.kubernetes_version = c.kubernetes_version.get();
  request.config_yaml = config::to_yaml(c);
  request.resumable = true;
  const auto result = value_or_throw(cluster::start_cluster(driver, request, ctx.state, ctx.progress_sink()));
  if (output == "json") {
    const auto& r = driver.report();
    const std::string outcome = result.outcome == cluster::StartOutcome::already_running ? "already running"
                                : r.resumed_after.empty()                                ? "created"
                                                                                         : "resumed";
    println(report_json(name, provider, outcome, result.kubeconfigs.host.string(), r).dump(2));
    return;
  }
  for (const auto& line : result.notes) {
    println(line);
  }
}

void
delete_capi(const providers::CloudProvider& cloud,
            const config::LoadedConfig& loaded,
            Context& ctx,
            const std::string& output)
{
  const auto& c = loaded.config;
  const std::string name = c.name.get();
  providers::capi::CapiDriver driver(capi_options(cloud, loaded, ctx), flavor_for(cloud, loaded, ctx));
  const auto result = value_or_throw(cluster::delete_cluster(driver, { .name = name }, ctx.state, ctx.progress_sink()));
  const auto& r = driver.report();
  if (output == "json") {
    auto j = report_json(name,
                         c.provider.get(),
                         r.cluster_deleted ? "deleted" : "not found",
                         (ctx.env.home() / ".kube" / ("kubeconfig." + name)).string(),
                         r);
    j["cached"] = result.was_cached;
    j["movedBack"] = r.moved_back;
    println(j.dump(2));
    return;
  }
  if (!result.was_cached && !r.cluster_deleted) {
    log::info("Cluster {} is neither in the cluster cache nor in the management cluster; nothing to delete", name);
  }
}

} // namespace ocne::cli

namespace ocne::cli {

namespace {

// The cluster's configuration at another Kubernetes minor: what follows the
// version (boot image tag, osTag, and what the cloud names: the Oxide image
// name) follows it too, unless the user set it to something else.
config::LoadedConfig
at_version(const providers::CloudProvider& cloud, const config::LoadedConfig& loaded, const std::string& minor)
{
  auto l = loaded;
  auto& c = l.config;
  const std::string old = c.kubernetes_version.get();
  c.kubernetes_version = minor;
  if (c.os_tag.get() == old) {
    c.os_tag = minor;
  }
  c.boot_volume_container_image = config::normalize_boot_image(c.boot_volume_container_image.get(), minor);
  cloud.follow_version(c, old, minor);
  return l;
}

} // namespace

providers::capi::UpgradeReport
upgrade_capi(const providers::CloudProvider& cloud,
             const config::LoadedConfig& loaded,
             Context& ctx,
             const std::string& target,
             bool dry_run)
{
  providers::capi::UpgradeOptions o;
  o.capi = capi_options(cloud, loaded, ctx);
  o.cluster_name = loaded.config.name.get();
  o.target = target;
  o.dry_run = dry_run;
  o.flavor_for =
    [&cloud, &loaded, &ctx](const std::string& minor) -> Result<std::unique_ptr<providers::capi::CloudSession>> {
    try {
      return flavor_for(cloud, at_version(cloud, loaded, minor), ctx);
    } catch (const Fatal& e) {
      return tl::unexpected(e.error());
    }
  };
  o.on_upgraded = [&cloud, &loaded, &ctx](const std::string& minor) -> Status {
    const auto yaml = config::to_yaml(at_version(cloud, loaded, minor).config);
    const auto name = loaded.config.name.get();
    return ClusterCache::update(ctx.state, [&](ClusterCache& cache) -> Status {
      if (auto* record = cache.find(name)) {
        record->config_yaml = yaml;
      }
      return {};
    });
  };
  return value_or_throw(providers::capi::upgrade_cluster(ctx.state, o, ctx.progress_sink()));
}

} // namespace ocne::cli
