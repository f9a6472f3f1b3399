#include "pkg/addons/kube_proxy.hpp"

#include "pkg/core/log.hpp"
#include "pkg/k8s/yaml.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ocne::addons {

namespace {

using json = nlohmann::json;

// On the DaemonSet's Pod template (rolls it) and on the ConfigMap (what
// ocne wrote into it).
constexpr const char* k_mode_annotation = "ocne.oracle.com/kube-proxy-mode";
constexpr const char* k_config_key = "config.conf";

const k8s::ObjectRef k_configmap{ "v1", "ConfigMap", "kube-system", "kube-proxy" };
const k8s::ObjectRef k_daemonset{ "apps/v1", "DaemonSet", "kube-system", "kube-proxy" };

// The object once it exists; a log line says what is waited for when it
// does not exist yet.
Result<json>
wait_present(k8s::Client& client, const k8s::ObjectRef& ref, const k8s::WaitOptions& wait)
{
  OCNE_TRY_ASSIGN(auto found, client.find(ref));
  if (found) {
    return std::move(*found);
  }
  log::info("Waiting for kubeadm to install kube-proxy ({} {}/{})", ref.kind, ref.namespace_, ref.name);
  auto seen = k8s::wait_for(
    client,
    ref,
    "to be written by kubeadm's addon phase",
    [](const json* object) {
      return k8s::Observation{ object != nullptr, object != nullptr ? "present" : "not found" };
    },
    wait,
    null_progress());
  if (!seen) {
    return tl::unexpected(seen.error());
  }
  return std::move(*seen);
}

std::string
annotation(const json& metadata, const char* key)
{
  const auto it = metadata.find("annotations");
  return it != metadata.end() && it->is_object() ? it->value(key, "") : std::string();
}

} // namespace

Result<bool>
set_kube_proxy_mode(k8s::Client& client, std::string_view mode, const k8s::WaitOptions& wait, ProgressSink& progress)
{
  ProgressTask task(progress, fmt::format("Setting kube-proxy's mode to {}", mode));
  auto fail = [&task](const Error& error) -> Result<bool> {
    task.fail(error.message());
    return tl::unexpected(error);
  };
  auto cm = wait_present(client, k_configmap, wait);
  if (!cm) {
    return fail(cm.error());
  }
  auto ds = wait_present(client, k_daemonset, wait);
  if (!ds) {
    return fail(ds.error());
  }
  const json data = cm->value("data", json::object());
  if (!data.contains(k_config_key) || !data[k_config_key].is_string()) {
    return fail(
      Error(ErrorKind::not_found,
            fmt::format("ConfigMap kube-system/kube-proxy has no {} (not kubeadm's kube-proxy?)", k_config_key)));
  }
  auto config = k8s::parse_yaml(data[k_config_key].get<std::string>(), "kube-proxy config.conf");
  if (!config) {
    return fail(config.error());
  }
  std::string current = config->is_object() ? config->value("mode", "") : std::string();
  if (current.empty()) {
    current = k_default_kube_proxy_mode;
  }
  const std::string written = annotation((*cm)["metadata"], k_mode_annotation);
  const std::string rolled = annotation((*ds)["spec"]["template"].value("metadata", json::object()), k_mode_annotation);
  // kubeadm's own configuration already has the mode, or ocne wrote it and
  // rolled the Pods.
  if (current == mode && (written != mode || rolled == mode)) {
    task.succeed("ok (already set)");
    return false;
  }
  if (current != mode) {
    (*config)["mode"] = std::string(mode);
    const json patch = { { "metadata", { { "annotations", { { k_mode_annotation, std::string(mode) } } } } },
                         { "data", { { k_config_key, k8s::to_yaml(*config) } } } };
    if (auto patched = client.patch(k_configmap, k8s::PatchType::merge, patch); !patched) {
      return fail(patched.error());
    }
  }
  // A new Pod template: the DaemonSet replaces its Pods, which read the new mode.
  const json roll = {
    { "spec",
      { { "template", { { "metadata", { { "annotations", { { k_mode_annotation, std::string(mode) } } } } } } } } }
  };
  if (auto patched = client.patch(k_daemonset, k8s::PatchType::merge, roll); !patched) {
    return fail(patched.error());
  }
  task.succeed();
  return true;
}

} // namespace ocne::addons
