#include "providers/capi/driver_steps.hpp"

#include "pkg/clusterctl/mover.hpp"
#include "pkg/clusterctl/repository.hpp"
#include "pkg/clusterctl/stack.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/k8s/wait.hpp"

namespace ocne::providers::capi::detail {

Result<std::unique_ptr<k8s::Client>>
client_for(const fs::Path& kubeconfig)
{
  OCNE_TRY_ASSIGN(auto access, k8s::load_kubeconfig({ kubeconfig }, { .require_all = true }));
  return std::make_unique<k8s::Client>(std::move(access));
}

Status
install_stack(k8s::Client& client,
              const CapiOptions& options,
              CloudSession& flavor,
              CapiReport& report,
              ProgressSink& progress)
{
  const auto* stack = options.stack;
  if (stack == nullptr) {
    return make_error(ErrorKind::internal, "no Cluster API stack for provider {}", flavor.provider());
  }
  OCNE_TRY_ASSIGN(auto settings, clusterctl::source_settings(options.config.provider_components.get(), options.env));
  if (!options.components_cache.empty()) {
    settings.cache_dir = options.components_cache;
  }
  clusterctl::ComponentSource source(std::move(settings), progress);
  clusterctl::InstallOptions install;
  OCNE_TRY_ASSIGN(install.values, flavor.component_values());
  install.env = options.env;
  install.proxy = options.controller_proxy;
  install.timeout = options.components_timeout;
  install.interval = std::min(options.interval, std::chrono::milliseconds(1000));
  OCNE_TRY_ASSIGN(auto installed, clusterctl::install_stack(client, *stack, source, install, progress));
  for (const auto& c : installed.components) {
    (c.installed ? report.components_installed : report.components_present)
      .push_back(fmt::format("{} {}", c.display_name, c.version));
  }
  return {};
}

Status
move_objects(k8s::Client& from,
             k8s::Client& to,
             const std::string& namespace_,
             const CapiOptions& options,
             ProgressSink& progress)
{
  clusterctl::MoveOptions move;
  move.namespace_ = namespace_;
  move.clock = options.clock;
  std::string last;
  PollMessages messages;
  messages.timed_out = [&](std::string_view seen) {
    return Error(ErrorKind::timeout,
                 fmt::format("the Cluster API objects could not be moved within {}: {}",
                             k8s::format_duration(options.move_timeout),
                             seen));
  };
  messages.interrupted = [] {
    return Error(ErrorKind::cancelled, "interrupted while waiting to move the Cluster API objects");
  };
  messages.waiting = [&](std::string_view seen) {
    if (seen != last) {
      last = seen;
      log::info("Waiting to move the Cluster API objects: {}", last);
    }
  };
  // Cluster API refuses to move objects that are still being provisioned
  // (not_ready); clusterctl users run it again later, and so does this.
  return poll({ .timeout = options.move_timeout, .interval = options.interval, .clock = options.clock },
              messages,
              [&]() -> Status {
                OCNE_TRY_ASSIGN(const auto moved, clusterctl::move(from, to, move, progress));
                log::debug("moved {} objects of namespace {} from {} to {}",
                           moved.created.size() + moved.existing.size(),
                           namespace_,
                           from.describe(),
                           to.describe());
                return {};
              });
}

Result<bool>
release_ephemeral(const CapiOptions& options, const std::string& kubeconfig)
{
  cluster::ManagementCluster mc;
  mc.kubeconfig = kubeconfig;
  mc.ephemeral = true;
  mc.created = true;
  mc.name = options.config.ephemeral_cluster.name.get();
  const bool preserve = options.config.ephemeral_cluster.preserve.get();
  OCNE_TRY(cluster::release_management_cluster(mc, false, preserve, options.delete_ephemeral));
  return !preserve;
}

} // namespace ocne::providers::capi::detail
