#include "pkg/upgrade/node_order.hpp"

#include "pkg/k8s/object.hpp"
#include "pkg/upgrade/node_journal.hpp"

#include <algorithm>
#include <tuple>

namespace ocne::upgrade {

bool
is_control_plane(const nlohmann::json& node)
{
  return k8s::has_label(node, "node-role.kubernetes.io/control-plane");
}

std::vector<std::string>
update_order(const std::vector<nlohmann::json>& nodes)
{
  std::vector<std::tuple<int, int, std::string>> keyed;
  for (const auto& n : nodes) {
    keyed.emplace_back(k8s::has_annotation(n, k_node_update_annotation) ? 0 : 1,
                       is_control_plane(n) ? 0 : 1,
                       k8s::string_at(n, "/metadata/name"));
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  for (const auto& k : keyed) {
    out.push_back(std::get<2>(k));
  }
  return out;
}

} // namespace ocne::upgrade
