#include "pkg/upgrade/stage.hpp"

#include "pkg/config/versions.hpp"
#include "pkg/core/log.hpp"
#include "pkg/diag/node_pod.hpp"
#include "pkg/k8s/object.hpp"
#include "pkg/k8s/wait.hpp"
#include "pkg/ock/node_host.hpp"
#include "pkg/ock/update_yaml.hpp"
#include "pkg/upgrade/kubeadm_config.hpp"
#include "pkg/upgrade/stage_checks.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ocne::upgrade {

namespace {

using nlohmann::json;

// Stages one node; returns "staged" or "already staged".
Result<std::string>
stage_node(k8s::Client& client, const std::string& node, const ock::UpdateSource& wanted, const StageOptions& options)
{
  OCNE_TRY_ASSIGN(auto host, ock::NodeHost::open(client, node, "stage", options.pod_start_timeout));
  auto text = host->read(ock::k_update_yaml);
  if (!text && text.error().kind() != ErrorKind::not_found) {
    return make_error(text.error());
  }
  const std::string current = text ? *text : std::string();
  if (text && ock::update_source_matches(ock::parse_update_yaml(current), wanted)) {
    // Staged before: the service only has to be running.
    OCNE_TRY_ASSIGN(const bool active, host->unit_active(ock::k_update_service));
    if (!active) {
      OCNE_TRY(host->systemctl("start", ock::k_update_service));
    }
    return std::string("already staged");
  }
  OCNE_TRY(host->write(ock::k_update_yaml, ock::rewrite_update_yaml(current, wanted), ock::k_update_yaml_mode));
  // Stopped while the old announcement goes, started so the service forgets
  // the digest it saw and looks at the new tag at once.
  OCNE_TRY(host->systemctl("stop", ock::k_update_service));
  const k8s::ObjectRef ref{ "v1", "Node", "", node };
  OCNE_TRY_ASSIGN(const auto live, client.get(ref));
  if (k8s::has_annotation(live, ock::k_update_available_annotation)) {
    OCNE_TRY(
      client.patch(ref,
                   k8s::PatchType::merge,
                   { { "metadata", { { "annotations", { { ock::k_update_available_annotation, nullptr } } } } } }));
  }
  OCNE_TRY(host->systemctl("start", ock::k_update_service));
  return std::string("staged");
}

} // namespace

Result<StageReport>
stage_cluster(k8s::Client& client, const StageOptions& options, ProgressSink& progress)
{
  OCNE_TRY(check_stage_version(options.version));
  if (!options.transport.empty()) {
    OCNE_TRY(ock::validate_transport(options.transport));
  }
  if (!options.os_registry.empty()) {
    OCNE_TRY(ock::validate_os_registry(options.os_registry));
  }
  StageReport report;
  report.version = options.version;
  OCNE_TRY_ASSIGN(const auto nodes, client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
  if (managed_by_cluster_api(nodes.items)) {
    report.cluster_api = true;
    return report;
  }
  std::vector<std::string> kubelets;
  for (const auto& n : nodes.items) {
    kubelets.push_back(k8s::string_at(n, "/status/nodeInfo/kubeletVersion"));
  }
  OCNE_TRY(check_stage_skew(kubelets, options.version));
  OCNE_TRY_ASSIGN(const auto table, config::find_kube_version(options.version));
  report.kubernetes_version = "v" + table.full;
  if (auto kubeadm = kubeadm_kubernetes_version(client); !kubeadm) {
    return make_error(kubeadm.error().kind(), "cannot stage: {}", kubeadm.error().message());
  }

  const ock::UpdateSource wanted{ options.os_registry, options.version, options.transport };
  OCNE_TRY(diag::prepare_node_pods(client));
  int staged = 0;
  for (const auto& n : nodes.items) {
    const auto name = k8s::string_at(n, "/metadata/name");
    std::string why;
    if (!k8s::node_ready(n, why)) {
      log::warn("Skipping node {} because it is not ready", name);
      report.nodes.push_back({ name, "not ready", why });
      continue;
    }
    std::string outcome;
    std::string last_error;
    const auto check = [&](const json* node) -> k8s::Observation {
      if (node == nullptr) {
        last_error = "the node is gone";
        return { true, last_error };
      }
      auto result = stage_node(client, name, wanted, options);
      if (result) {
        outcome = *result;
        return { true, "" };
      }
      if (result.error().kind() == ErrorKind::cancelled) {
        last_error = result.error().message();
        return { true, last_error };
      }
      last_error = result.error().message();
      log::debug("staging node {}: {}; trying again", name, last_error);
      return { false, last_error };
    };
    auto waited = k8s::wait_for(client,
                                k8s::ObjectRef{ "v1", "Node", "", name },
                                "to be staged",
                                check,
                                k8s::WaitOptions{ .timeout = options.node_retry, .interval = options.retry_interval },
                                progress);
    if (!outcome.empty()) {
      ++staged;
      log::info("node {}: {} {}", name, outcome, options.version);
      report.nodes.push_back({ name, outcome, "" });
      continue;
    }
    const auto error = last_error.empty() && !waited ? waited.error().message() : last_error;
    log::warn("node {}: could not be staged: {}", name, error);
    report.nodes.push_back({ name, "failed", error });
    if (!waited && waited.error().kind() == ErrorKind::cancelled) {
      return make_error(waited.error());
    }
  }
  if (staged == 0) {
    return make_error(ErrorKind::unavailable, "Unable to stage any nodes");
  }
  OCNE_TRY_ASSIGN(report.kubeadm_config_changed, set_kubeadm_kubernetes_version(client, report.kubernetes_version));
  return report;
}

} // namespace ocne::upgrade
