#include "pkg/clusterctl/proxy_env.hpp"

namespace ocne::clusterctl {

namespace {

using json = nlohmann::json;

void
set_env(json& container, const std::vector<std::pair<std::string, std::string>>& variables)
{
  json& env = container["env"];
  if (!env.is_array()) {
    env = json::array();
  }
  for (const auto& [name, value] : variables) {
    json entry = { { "name", name }, { "value", value } };
    bool replaced = false;
    for (auto it = env.begin(); it != env.end();) {
      if (!it->is_object() || it->value("name", "") != name) {
        ++it;
      } else if (!replaced) {
        *it = entry;
        replaced = true;
        ++it;
      } else {
        it = env.erase(it); // a duplicate would make the Pod's value depend on its position
      }
    }
    if (!replaced) {
      env.push_back(std::move(entry));
    }
  }
}

} // namespace

std::vector<std::pair<std::string, std::string>>
proxy_variables(const ControllerProxy& proxy)
{
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : { std::pair<const char*, const std::string&>{ "HTTPS_PROXY", proxy.https_proxy },
                                     { "HTTP_PROXY", proxy.http_proxy },
                                     { "NO_PROXY", proxy.no_proxy } }) {
    if (!value.empty()) {
      out.emplace_back(name, value);
    }
  }
  return out;
}

void
add_proxy_env(json& object, const ControllerProxy& proxy)
{
  const auto variables = proxy_variables(proxy);
  if (variables.empty() || !object.is_object() || object.value("kind", "") != "Deployment") {
    return;
  }
  const json::json_pointer pod_spec("/spec/template/spec");
  if (!object.contains(pod_spec) || !object[pod_spec].is_object()) {
    return;
  }
  json& spec = object[pod_spec];
  for (const char* key : { "initContainers", "containers" }) {
    if (spec.contains(key) && spec[key].is_array()) {
      for (auto& container : spec[key]) {
        if (container.is_object()) {
          set_env(container, variables);
        }
      }
    }
  }
}

} // namespace ocne::clusterctl
