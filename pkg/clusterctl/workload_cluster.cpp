#include "pkg/clusterctl/workload_cluster.hpp"

#include "pkg/clusterctl/cluster_objects.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/wait.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

namespace ocne::clusterctl {

using json = nlohmann::json;

Status
wait_workload_kubeconfig(k8s::Client& management, const WorkloadWait& wait, ProgressSink& progress)
{
  ProgressTask task(progress, "Waiting for kubeconfig");
  std::set<std::string> reported;
  std::string last;
  const std::string secret_name = wait.cluster + "-kubeconfig";
  PollMessages messages;
  messages.timed_out = [&](std::string_view) {
    auto message = fmt::format("cluster {}/{} has no kubeconfig after {}{}",
                               wait.namespace_,
                               wait.cluster,
                               k8s::format_duration(wait.timeout),
                               last.empty() ? std::string("; no controller said why") : "; last said: " + last);
    task.fail(message);
    return Error(ErrorKind::timeout, std::move(message));
  };
  messages.interrupted = [&] {
    task.fail("interrupted");
    return Error(ErrorKind::cancelled, fmt::format("interrupted while waiting for cluster {}", wait.cluster));
  };
  return poll({ .timeout = wait.timeout, .interval = wait.interval, .clock = wait.clock }, messages, [&]() -> Status {
    auto secret = management.find({ "v1", "Secret", wait.namespace_, secret_name });
    if (secret && *secret) {
      const json& s = **secret;
      const auto value = s.value("data", json::object()).value("value", "");
      const auto decoded = k8s::base64_decode(value);
      const bool ours = k8s::string_at(s, "/metadata/labels/cluster.x-k8s.io~1cluster-name") == wait.cluster;
      if (ours && decoded && !decoded->empty()) {
        OCNE_TRY(fs::ensure_dir(wait.kubeconfig_path.parent_path(), fs::k_private_dir));
        OCNE_TRY(fs::write_file_atomic(wait.kubeconfig_path, *decoded, fs::k_private));
        task.succeed();
        return {};
      }
    }
    for (const auto& line : what_controllers_say(management, wait.namespace_, wait.cluster)) {
      if (reported.insert(line).second) {
        last = line;
        if (wait.report) {
          wait.report(line);
        }
      }
    }
    return not_ready_yet(last);
  });
}

Result<nlohmann::json>
infrastructure_cluster(k8s::Client& management, const std::string& namespace_, const std::string& cluster)
{
  auto version = core_version(management);
  if (!version) {
    return version.error().kind() == ErrorKind::not_found
             ? make_error(ErrorKind::not_found, "{} serves no cluster.x-k8s.io Cluster", management.describe())
             : tl::unexpected(version.error());
  }
  OCNE_TRY_ASSIGN(auto found, management.find({ "cluster.x-k8s.io/" + *version, "Cluster", namespace_, cluster }));
  if (!found) {
    return make_error(ErrorKind::not_found, "Cluster {}/{} is not in {}", namespace_, cluster, management.describe());
  }
  const auto ref = (*found)["spec"].value("infrastructureRef", json());
  if (auto infra = referenced(management, ref, namespace_)) {
    return *infra;
  }
  return make_error(ErrorKind::not_found,
                    "the infrastructure cluster of Cluster {}/{} ({}) is not in {}",
                    namespace_,
                    cluster,
                    ref.dump(),
                    management.describe());
}

} // namespace ocne::clusterctl
