#pragma once

// The order `ocne node update --node all` takes the nodes in (pure): a
// node with an unfinished update first, then the control planes by name,
// then the workers by name (Oracle's rule: workers never run a newer
// Kubernetes than the control planes).

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ocne::upgrade {

bool is_control_plane(const nlohmann::json& node);

std::vector<std::string> update_order(const std::vector<nlohmann::json>& nodes);

} // namespace ocne::upgrade
