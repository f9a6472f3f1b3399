#include "pkg/k8s/drain.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/wait.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace ocne::k8s {

using nlohmann::json;

namespace {

std::string
pod_key(const json& pod)
{
  return string_at(pod, "/metadata/namespace") + "/" + string_at(pod, "/metadata/name");
}

// The kind of the pod's controller owner, or "".
std::string
controller_kind(const json& pod)
{
  const auto meta = pod.find("metadata");
  if (meta == pod.end() || !meta->is_object()) {
    return "";
  }
  const auto refs = meta->find("ownerReferences");
  if (refs == meta->end() || !refs->is_array()) {
    return "";
  }
  for (const auto& r : *refs) {
    if (r.is_object() && r.value("controller", false)) {
      return string_at(r, "/kind");
    }
  }
  return "";
}

bool
has_emptydir(const json& pod)
{
  const auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) {
    return false;
  }
  const auto volumes = spec->find("volumes");
  if (volumes == spec->end() || !volumes->is_array()) {
    return false;
  }
  for (const auto& v : *volumes) {
    if (v.is_object() && v.contains("emptyDir")) {
      return true;
    }
  }
  return false;
}

std::string
join(const std::vector<std::string>& items)
{
  std::string out;
  for (const auto& i : items) {
    out += (out.empty() ? "" : ", ") + i;
  }
  return out;
}

} // namespace

std::string
DrainTarget::key() const
{
  return namespace_ + "/" + name;
}

DrainPlan
plan_drain(const std::vector<json>& pods_on_node, const DrainOptions& options)
{
  DrainPlan plan;
  for (const auto& pod : pods_on_node) {
    const auto key = pod_key(pod);
    const auto phase = string_at(pod, "/status/phase");
    const bool finished = phase == "Succeeded" || phase == "Failed";
    DrainTarget target{ string_at(pod, "/metadata/namespace"),
                        string_at(pod, "/metadata/name"),
                        string_at(pod, "/metadata/uid") };
    if (has_annotation(pod, k_mirror_pod_annotation)) {
      plan.mirror_pods.push_back(key);
    } else if (!options.skip_label.empty() && has_label(pod, options.skip_label)) {
      plan.skipped_pods.push_back(key);
    } else if (finished) {
      plan.to_remove.push_back(std::move(target));
    } else if (controller_kind(pod) == "DaemonSet") {
      plan.daemonset_pods.push_back(key);
    } else if (has_emptydir(pod) && !options.delete_emptydir_data) {
      plan.emptydir_pods.push_back(key);
    } else {
      if (controller_kind(pod).empty()) {
        plan.unmanaged_pods.push_back(key);
      }
      plan.to_remove.push_back(std::move(target));
    }
  }
  return plan;
}

Result<std::vector<json>>
pods_on_node(Client& client, std::string_view node)
{
  OCNE_TRY_ASSIGN(auto listed,
                  client.list(GroupVersionKind{ "", "v1", "Pod" },
                              ListOptions{ .field_selector = fmt::format("spec.nodeName={}", node) }));
  return std::move(listed.items);
}

Status
check_emptydir(std::string_view node, const DrainPlan& plan, const DrainOptions& options)
{
  if (plan.emptydir_pods.empty() || options.delete_emptydir_data) {
    return {};
  }
  return make_error(ErrorKind::invalid_input,
                    "cannot drain node {}: these pods use emptyDir volumes, whose data would be lost: {} (allow it "
                    "with --delete-emptydir-data)",
                    node,
                    join(plan.emptydir_pods));
}

Result<DrainReport>
drain_node(Client& client, std::string_view node, const DrainOptions& options, ProgressSink& progress)
{
  OCNE_TRY_ASSIGN(const auto pods, pods_on_node(client, node));
  const auto plan = plan_drain(pods, options);
  OCNE_TRY(check_emptydir(node, plan, options));
  DrainReport report;
  for (const auto* list : { &plan.daemonset_pods, &plan.mirror_pods, &plan.skipped_pods }) {
    report.left.insert(report.left.end(), list->begin(), list->end());
  }
  if (!plan.unmanaged_pods.empty()) {
    log::warn("node {}: removing pods no controller will recreate: {}", node, join(plan.unmanaged_pods));
  }
  if (plan.to_remove.empty()) {
    return report;
  }

  std::set<std::string> removed;                 // uids evicted or deleted: only waited for now
  std::map<std::string, std::string> last_cause; // pod key -> last budget answer logged
  std::optional<Error> failure;
  const auto check = [&](const json* node_object) -> Observation {
    if (node_object == nullptr) {
      failure = Error(ErrorKind::not_found, fmt::format("node {} not found", node));
      return { true, "" };
    }
    auto listed = pods_on_node(client, node);
    if (!listed) {
      if (listed.error().kind() != ErrorKind::transient) {
        failure = listed.error();
        return { true, "" };
      }
      return { false, listed.error().message() };
    }
    std::set<std::string> present;
    for (const auto& p : *listed) {
      present.insert(string_at(p, "/metadata/uid"));
    }
    std::vector<std::string> waiting;
    for (const auto& target : plan.to_remove) {
      if (!present.contains(target.uid)) {
        continue;
      }
      if (removed.contains(target.uid)) {
        waiting.push_back(target.key() + " (terminating)");
        continue;
      }
      if (options.disable_eviction) {
        auto gone = client.remove(ObjectRef{ "v1", "Pod", target.namespace_, target.name },
                                  DeleteOptions{ .ignore_not_found = true });
        if (!gone) {
          if (gone.error().kind() != ErrorKind::transient) {
            failure = gone.error();
            return { true, "" };
          }
          waiting.push_back(target.key() + " (" + gone.error().message() + ")");
          continue;
        }
        removed.insert(target.uid);
        ++report.deleted;
        log::info("node {}: deleted pod {}", node, target.key());
        if (options.checkpoint) {
          options.checkpoint("deleted " + target.key());
        }
        waiting.push_back(target.key() + " (terminating)");
        continue;
      }
      auto answer = client.evict(target.namespace_, target.name);
      if (!answer) {
        if (answer.error().kind() == ErrorKind::not_found) {
          continue;
        }
        if (answer.error().kind() != ErrorKind::transient) {
          failure = answer.error();
          return { true, "" };
        }
        waiting.push_back(target.key() + " (" + answer.error().message() + ")");
        continue;
      }
      if (answer->has_value()) {
        ++report.budget_refusals;
        const auto& refusal = **answer;
        const auto cause = refusal.cause.empty() ? refusal.message : refusal.cause;
        if (last_cause[target.key()] != cause) {
          last_cause[target.key()] = cause;
          log::info("node {}: pod {} cannot be evicted yet: {}; retrying", node, target.key(), cause);
        }
        waiting.push_back(target.key() + " (" + cause + ")");
        continue;
      }
      removed.insert(target.uid);
      ++report.evicted;
      log::info("node {}: evicted pod {}", node, target.key());
      if (options.checkpoint) {
        options.checkpoint("evicted " + target.key());
      }
      waiting.push_back(target.key() + " (terminating)");
    }
    if (waiting.empty()) {
      return { true, "" };
    }
    return { false, fmt::format("{} pod{} left: {}", waiting.size(), waiting.size() == 1 ? "" : "s", join(waiting)) };
  };
  auto waited = wait_for(client,
                         ObjectRef{ "v1", "Node", "", std::string(node) },
                         "to be drained",
                         check,
                         WaitOptions{ .timeout = options.timeout, .interval = options.retry_interval },
                         progress);
  if (failure) {
    return make_error(failure->kind(), "draining node {}: {}", node, failure->message());
  }
  if (!waited) {
    return make_error(waited.error());
  }
  return report;
}

} // namespace ocne::k8s
