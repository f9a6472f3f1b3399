#include "pkg/addons/flannel.hpp"
#include "pkg/addons/ha_config.hpp"
#include "pkg/addons/install.hpp"
#include "pkg/cluster/probe.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/k8s/wait.hpp"

#include <nlohmann/json.hpp>

namespace ocne::cluster {

namespace {

class KubeProbe final : public ClusterProbe
{
public:
  KubeProbe(std::chrono::milliseconds interval, Clock* clock) : m_interval(interval), m_clock(clock)
  {
  }

  Result<std::size_t>
  count_nodes(const fs::Path& kubeconfig) override
  {
    return count_with(kubeconfig, std::chrono::seconds(10));
  }

  Status
  wait_ready(const fs::Path& kubeconfig,
             std::size_t min_nodes,
             std::chrono::milliseconds timeout,
             ProgressSink& progress) override
  {
    ProgressTask task(progress, "Waiting for the Kubernetes cluster to be ready");
    PollMessages messages;
    messages.timed_out = [&](std::string_view last) {
      auto message = fmt::format("the Kubernetes API did not become ready within {} (kubeconfig {}): last seen: {}",
                                 k8s::format_duration(timeout),
                                 kubeconfig.string(),
                                 last);
      task.fail(message);
      return Error(ErrorKind::timeout, std::move(message));
    };
    messages.interrupted = [&] {
      task.fail("interrupted");
      return Error(ErrorKind::cancelled, "interrupted while waiting for the Kubernetes API");
    };
    messages.waiting = [&](std::string_view last) { log::debug("waiting for {}: {}", kubeconfig.string(), last); };
    return poll({ .timeout = timeout, .interval = m_interval, .clock = m_clock }, messages, [&]() -> Status {
      auto nodes = count_with(kubeconfig, std::chrono::seconds(10));
      if (nodes && *nodes >= min_nodes) {
        task.succeed(fmt::format("{} node{}", *nodes, *nodes == 1 ? "" : "s"));
        return {};
      }
      if (nodes) {
        return not_ready_yet(fmt::format("{} of {} nodes registered", *nodes, min_nodes));
      }
      if (nodes.error().kind() == ErrorKind::auth || nodes.error().kind() == ErrorKind::invalid_input) {
        // A wrong certificate or kubeconfig does not heal by waiting.
        task.fail(nodes.error().message());
        return tl::unexpected(nodes.error());
      }
      return not_ready_yet(nodes.error().message());
    });
  }

  Status
  install_addons(const fs::Path& kubeconfig, const AddonRequest& request, ProgressSink& progress) override
  {
    std::vector<addons::Addon> wanted;
    const bool wants_flannel = request.cni.empty() || request.cni == "flannel";
    if (wants_flannel) {
      OCNE_TRY_ASSIGN(auto flannel,
                      addons::render_flannel(
                        { .pod_cidrs = str::split_trimmed(request.pod_subnet, ','), .interfaces = request.interfaces },
                        Environment::process()));
      wanted.push_back(std::move(flannel));
    } else if (request.cni == "none") {
      log::info("cni is none: no CNI installed; the nodes are NotReady until one is");
    } else {
      log::warn("cni {} is not one ocne installs: no CNI installed; the nodes are NotReady until you install it",
                request.cni);
    }
    if (request.ha_monitor) {
      OCNE_TRY_ASSIGN(auto ha, addons::render_ha_config({}, Environment::process()));
      wanted.push_back(std::move(ha));
    }
    OCNE_TRY_ASSIGN(auto access, k8s::load_kubeconfig({ kubeconfig }, { .require_all = true }));
    k8s::Client client(std::move(access));
    addons::InstallOptions options;
    options.timeout = request.timeout;
    // Without a CNI no node becomes Ready: do not wait for that.
    options.wait_for_nodes = wants_flannel;
    options.clock = m_clock;
    OCNE_TRY(addons::install_addons(client, wanted, options, progress));
    return {};
  }

private:
  Result<std::size_t>
  count_with(const fs::Path& kubeconfig, std::chrono::milliseconds request_timeout)
  {
    OCNE_TRY_ASSIGN(auto access, k8s::load_kubeconfig({ kubeconfig }, { .require_all = true }));
    k8s::ClientOptions options;
    options.connect_timeout = std::chrono::milliseconds(3000);
    options.request_timeout = request_timeout;
    options.retry.max_attempts = 1;
    k8s::Client client(std::move(access), options);
    OCNE_TRY_ASSIGN(auto list, client.list({ "", "v1", "Node" }));
    return list.items.size();
  }

  std::chrono::milliseconds m_interval;
  Clock* m_clock;
};

} // namespace

std::unique_ptr<ClusterProbe>
make_kube_probe(std::chrono::milliseconds interval, Clock* clock)
{
  return std::make_unique<KubeProbe>(interval, clock);
}

} // namespace ocne::cluster
