#include "providers/capi/workload.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/wait.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>
#include <thread>

namespace ocne::providers::capi {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// The object a reference names: {apiGroup, kind, name} (v1beta2) or
// {apiVersion, kind, name} (v1beta1).
std::optional<json>
referenced(k8s::Client& client, const json& ref, const std::string& ns)
{
  if (!ref.is_object() || !ref.contains("kind") || !ref.contains("name")) {
    return std::nullopt;
  }
  std::string api_version = ref.value("apiVersion", "");
  if (api_version.empty()) {
    // v1beta2 names the group only: find the served version by discovery.
    for (const auto* version : { "v1beta2", "v1beta1", "v1alpha1" }) {
      const k8s::GroupVersionKind gvk{ ref.value("apiGroup", ""), version, ref.value("kind", "") };
      if (client.mapping(gvk)) {
        api_version = gvk.api_version();
        break;
      }
    }
  }
  if (api_version.empty()) {
    return std::nullopt;
  }
  auto found = client.find({ api_version, ref.value("kind", ""), ns, ref.value("name", "") });
  return found && *found ? std::optional<json>(**found) : std::nullopt;
}

// "Kind ns/name: Type=False (Reason): message" for each condition that is
// not True and says why.
void
failing_conditions(const json& object, std::vector<std::string>& out)
{
  const auto conditions = object.value("status", json::object()).value("conditions", json::array());
  for (const auto& c : conditions) {
    const std::string status = c.value("status", "");
    const std::string message = c.value("message", "");
    if (status == "True" || message.empty()) {
      continue;
    }
    out.push_back(fmt::format("{} {}/{}: {}={} ({}): {}", object.value("kind", "?"),
                              k8s::string_at(object, "/metadata/namespace"), k8s::string_at(object, "/metadata/name"),
                              c.value("type", "?"), status, c.value("reason", "?"), message));
  }
}

std::vector<std::string>
what_controllers_say(k8s::Client& client, const WorkloadWait& wait)
{
  std::vector<std::string> out;
  std::set<std::string> names; // kind/name of the objects involved
  // Core 1.10 serves v1beta1 only; 1.13 both, v1beta2 stored.
  std::optional<json> cluster;
  std::string core_version;
  for (const auto* version : { "v1beta2", "v1beta1" }) {
    auto found = client.find({ std::string("cluster.x-k8s.io/") + version, "Cluster", wait.namespace_, wait.cluster });
    if (found && *found) {
      cluster = **found;
      core_version = version;
      break;
    }
  }
  if (!cluster) {
    return out;
  }
  const json& c = *cluster;
  failing_conditions(c, out);
  names.insert("Cluster/" + wait.cluster);
  if (auto infra = referenced(client, c["spec"].value("infrastructureRef", json()), wait.namespace_)) {
    failing_conditions(*infra, out);
    names.insert(infra->value("kind", "") + "/" + k8s::string_at(*infra, "/metadata/name"));
  }
  k8s::ListOptions machines;
  machines.namespace_ = wait.namespace_;
  machines.label_selector = "cluster.x-k8s.io/cluster-name=" + wait.cluster;
  if (auto list = client.list({ "cluster.x-k8s.io", core_version, "Machine" }, machines)) {
    for (const auto& m : list->items) {
      failing_conditions(m, out);
      names.insert("Machine/" + k8s::string_at(m, "/metadata/name"));
    }
  }
  k8s::ListOptions events;
  events.namespace_ = wait.namespace_;
  events.field_selector = "type=Warning";
  if (auto list = client.list({ "", "v1", "Event" }, events)) {
    for (const auto& e : list->items) {
      const json involved = e.value("involvedObject", json::object());
      const std::string key = involved.value("kind", "") + "/" + involved.value("name", "");
      if (names.count(key) > 0) {
        out.push_back(fmt::format("Event on {} {}/{}: {}: {}", involved.value("kind", "?"), wait.namespace_,
                                  involved.value("name", "?"), e.value("reason", "?"), e.value("message", "")));
      }
    }
  }
  return out;
}

} // namespace

Status
wait_workload_kubeconfig(k8s::Client& management, const WorkloadWait& wait, ProgressSink& progress)
{
  ProgressTask task(progress, "Waiting for kubeconfig");
  const auto deadline = Clock::now() + wait.timeout;
  std::set<std::string> reported;
  std::string last;
  const std::string secret_name = wait.cluster + "-kubeconfig";
  while (true) {
    if (interrupted()) {
      task.fail("interrupted");
      return make_error(ErrorKind::cancelled, "interrupted while waiting for cluster {}", wait.cluster);
    }
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
    for (const auto& line : what_controllers_say(management, wait)) {
      if (reported.insert(line).second) {
        last = line;
        if (wait.report) {
          wait.report(line);
        }
      }
    }
    if (Clock::now() >= deadline) {
      auto message = fmt::format("cluster {}/{} has no kubeconfig after {}{}", wait.namespace_, wait.cluster,
                                 k8s::format_duration(wait.timeout),
                                 last.empty() ? std::string("; no controller said why") : "; last said: " + last);
      task.fail(message);
      return make_error(ErrorKind::timeout, "{}", message);
    }
    std::this_thread::sleep_for(wait.interval);
  }
}

Result<nlohmann::json>
infrastructure_cluster(k8s::Client& management, const std::string& namespace_, const std::string& cluster)
{
  for (const auto* version : { "v1beta2", "v1beta1" }) {
    const k8s::GroupVersionKind gvk{ "cluster.x-k8s.io", version, "Cluster" };
    if (!management.mapping(gvk)) {
      continue;
    }
    OCNE_TRY_ASSIGN(auto found, management.find({ gvk.api_version(), "Cluster", namespace_, cluster }));
    if (!found) {
      return make_error(ErrorKind::not_found, "Cluster {}/{} is not in {}", namespace_, cluster, management.describe());
    }
    const auto ref = (*found)["spec"].value("infrastructureRef", json());
    if (auto infra = referenced(management, ref, namespace_)) {
      return *infra;
    }
    return make_error(ErrorKind::not_found, "the infrastructure cluster of Cluster {}/{} ({}) is not in {}", namespace_,
                      cluster, ref.dump(), management.describe());
  }
  return make_error(ErrorKind::not_found, "{} serves no cluster.x-k8s.io Cluster", management.describe());
}

} // namespace ocne::providers::capi
