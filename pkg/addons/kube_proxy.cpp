#include "pkg/addons/kube_proxy.hpp"

#include "pkg/k8s/yaml.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ocne::addons {

namespace {

using json = nlohmann::json;

constexpr const char* k_mode_annotation = "ocne.oracle.com/kube-proxy-mode";

} // namespace

Result<bool>
set_kube_proxy_mode(k8s::Client& client, std::string_view mode, ProgressSink& progress)
{
  ProgressTask task(progress, fmt::format("Setting kube-proxy's mode to {}", mode));
  const k8s::ObjectRef cm_ref{ "v1", "ConfigMap", "kube-system", "kube-proxy" };
  OCNE_TRY_ASSIGN(auto cm, client.get(cm_ref));
  const std::string key = "config.conf";
  if (!cm.contains("data") || !cm["data"].contains(key) || !cm["data"][key].is_string()) {
    task.fail("no config.conf");
    return make_error(ErrorKind::not_found, "ConfigMap kube-system/kube-proxy has no {} (not kubeadm's kube-proxy?)", key);
  }
  OCNE_TRY_ASSIGN(auto config, k8s::parse_yaml(cm["data"][key].get<std::string>(), "kube-proxy config.conf"));
  const auto ds_ref = k8s::ObjectRef{ "apps/v1", "DaemonSet", "kube-system", "kube-proxy" };
  OCNE_TRY_ASSIGN(auto ds, client.get(ds_ref));
  const json annotations = ds["spec"]["template"]["metadata"].value("annotations", json::object());
  const bool config_done = config.is_object() && config.value("mode", "") == mode;
  const bool rolled = annotations.value(k_mode_annotation, "") == mode;
  if (config_done && rolled) {
    task.succeed("ok (already set)");
    return false;
  }
  if (!config_done) {
    config["mode"] = std::string(mode);
    OCNE_TRY(client.patch(cm_ref, k8s::PatchType::merge, { { "data", { { key, k8s::to_yaml(config) } } } }));
  }
  // A new Pod template: the DaemonSet replaces its Pods, which read the new mode.
  OCNE_TRY(client.patch(ds_ref,
                        k8s::PatchType::merge,
                        { { "spec",
                            { { "template",
                                { { "metadata", { { "annotations", { { k_mode_annotation, std::string(mode) } } } } } } } } } }));
  task.succeed();
  return true;
}

} // namespace ocne::addons
