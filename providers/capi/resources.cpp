#include "providers/capi/resources.hpp"

#include "pkg/k8s/object.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace ocne::providers::capi {

namespace {

using json = nlohmann::json;

std::string
describe(const json& object)
{
  return k8s::ObjectRef::of(object).to_string();
}

// Walks every string; path is a JSON-pointer-like field path for messages.
template<typename Fn>
void
each_string(const json& node, const std::string& path, const Fn& fn)
{
  if (node.is_string()) {
    fn(path, node.get<std::string>());
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      each_string(value, path.empty() ? key : path + "." + key, fn);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      each_string(node[i], fmt::format("{}[{}]", path, i), fn);
    }
  }
}

} // namespace

Result<ClusterResources>
check_resources(const std::vector<json>& objects, const ImageIdRule& image_id)
{
  static const std::regex placeholder(R"(\$\{[A-Za-z_][A-Za-z0-9_]*\})");
  std::vector<std::string> problems;
  std::vector<ClusterResources> clusters;
  for (const auto& object : objects) {
    each_string(object, "", [&](const std::string& path, const std::string& value) {
      std::smatch m;
      if (std::regex_search(value, m, placeholder)) {
        problems.push_back(fmt::format("{}: {} still holds the placeholder {}", describe(object), path, m.str()));
        return;
      }
      const auto leaf = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
      if (const auto problem = image_id ? image_id(leaf, value) : std::string(); !problem.empty()) {
        problems.push_back(fmt::format("{}: {} is {}, {}", describe(object), path, value, problem));
      }
    });
    const std::string api = object.value("apiVersion", "");
    if (object.value("kind", "") == "Cluster" && api.rfind("cluster.x-k8s.io/", 0) == 0) {
      const std::string name = k8s::string_at(object, "/metadata/name");
      if (k8s::string_at(object, "/metadata/labels/cluster.x-k8s.io~1cluster-name") != name) {
        problems.push_back(
          fmt::format("{}: needs the label cluster.x-k8s.io/cluster-name: {}", describe(object), name));
      }
      clusters.push_back({ name, k8s::string_at(object, "/metadata/namespace") });
    }
  }
  if (clusters.size() != 1) {
    problems.push_back(
      fmt::format("the resources hold {} cluster.x-k8s.io Cluster objects; exactly one is needed", clusters.size()));
  }
  if (!problems.empty()) {
    std::string message = problems.front();
    for (std::size_t i = 1; i < problems.size(); ++i) {
      message += "; " + problems[i];
    }
    return make_error(ErrorKind::invalid_input, "{}", message);
  }
  return clusters.front();
}

} // namespace ocne::providers::capi
