#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/providers.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "providers/registry/registry.hpp"

namespace ocne::cli {

namespace {

struct StartOptions
{
  std::string config_file;
  std::string output;
  ConfigFlags flags;
};

void
run_start(const StartOptions& o, Context& ctx)
{
  const auto loaded = load_config(ctx, o.config_file, o.flags, providers::default_for(providers::Command::start));
  throw_on_error(config::validate_for(loaded, config::Purpose::start));
  // One warning for what the cluster file asks for and this build does not do.
  std::vector<std::string> unsupported;
  for (const auto& app : loaded.config.applications) {
    unsupported.push_back("application " + app.name);
  }
  for (const auto& catalog : loaded.config.catalogs) {
    unsupported.push_back("catalog " + catalog.name);
  }
  if (loaded.config.community_catalog.get()) {
    unsupported.emplace_back("the community catalog");
  }
  if (!unsupported.empty()) {
    log::warn("applications and catalogs are not supported yet; not installed: {}", str::join(unsupported, ", "));
  }
  const auto& cloud = *value_or_throw(providers::get(loaded.config.provider.get()));
  if (cloud.lifecycle() == providers::Lifecycle::direct) {
    if (!o.output.empty()) {
      throw Fatal("--output json is for oci and oxide clusters; a libvirt start prints how to reach the cluster");
    }
    start_direct(cloud, loaded, ctx);
    return;
  }
  start_capi(cloud, loaded, ctx, o.output);
}

} // namespace

void
add_cluster_start(CLI::App& cluster, Context& ctx)
{
  auto* cmd =
    cluster.add_subcommand("start", "Start a Kubernetes cluster (libvirt VMs, or OCI and Oxide through Cluster API)");
  auto o = std::make_shared<StartOptions>();
  cmd->add_option("-c,--config", o->config_file, "Cluster configuration file" + default_note(""));
  // -o is ocne's --boot-volume-container-image, so the result format is long only.
  cmd->add_option("--output", o->output, "Print the result as json (oci and oxide)" + default_note("log lines"))
    ->check(CLI::IsMember({ "json" }));
  auto& f = o->flags;
  f.add(*cmd,
        "-k,--kubeconfig",
        "kubeconfig",
        "Kubeconfig of the management cluster (else KUBECONFIG, else an ephemeral local one)");
  f.add(*cmd, "-n,--control-plane-nodes", "controlPlaneNodes", "Number of control plane nodes", "1");
  f.add(*cmd, "-w,--worker-nodes", "workerNodes", "Number of worker nodes", "0; 1 for oci and oxide");
  for (const auto* cloud : providers::all()) {
    for (const auto& alias : cloud->start_flags()) {
      f.add(*cmd, alias.names, alias.key, alias.help);
    }
  }
  f.add(
    *cmd, "-o,--boot-volume-container-image", "bootVolumeContainerImage", "Container image holding the node boot disk");
  f.add(*cmd, "-C,--cluster-name", "name", "Cluster name", "ocne");
  f.add(*cmd,
        "-P,--provider",
        "provider",
        "Provider: libvirt, oci or oxide",
        providers::default_for(providers::Command::start));
  f.add(*cmd, "-u,--auto-start-ui", "autoStartUI", "Accepted for compatibility with ocne; no browser is ever opened");
  f.add(*cmd, "-v,--version", "kubernetesVersion", "Kubernetes version");
  auto* vip = f.add(*cmd, "--virtual-ip", "virtualIp", "Virtual IP of the Kubernetes API (libvirt)");
  auto* lb = f.add(*cmd, "--load-balancer", "loadBalancer", "External load balancer of the Kubernetes API (libvirt)");
  vip->excludes(lb);
  cmd->callback([o, &ctx] { run_start(*o, ctx); });
}

} // namespace ocne::cli
