#include "providers/capi/driver_steps.hpp"

#include "pkg/clusterctl/mover.hpp"
#include "pkg/clusterctl/repository.hpp"
#include "pkg/clusterctl/stack.hpp"
#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/k8s/wait.hpp"

#include <thread>

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
              Flavor& flavor,
              CapiReport& report,
              ProgressSink& progress)
{
  const auto* stack = clusterctl::stack_for(flavor.provider());
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
  const auto deadline = std::chrono::steady_clock::now() + options.move_timeout;
  clusterctl::MoveOptions move;
  move.namespace_ = namespace_;
  std::string last;
  while (true) {
    auto moved = clusterctl::move(from, to, move, progress);
    if (moved) {
      log::debug("moved {} objects of namespace {} from {} to {}",
                 moved->created.size() + moved->existing.size(),
                 namespace_,
                 from.describe(),
                 to.describe());
      return {};
    }
    // Cluster API refuses to move objects that are still being provisioned;
    // clusterctl users run it again later, and so does this.
    if (moved.error().message().find("cannot start the move operation") == std::string::npos) {
      return tl::unexpected(moved.error());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(ErrorKind::timeout,
                        "the Cluster API objects could not be moved within {}: {}",
                        k8s::format_duration(options.move_timeout),
                        moved.error().message());
    }
    if (moved.error().message() != last) {
      last = moved.error().message();
      log::info("Waiting to move the Cluster API objects: {}", last);
    }
    if (interrupted()) {
      return make_error(ErrorKind::cancelled, "interrupted while waiting to move the Cluster API objects");
    }
    std::this_thread::sleep_for(options.interval);
  }
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
