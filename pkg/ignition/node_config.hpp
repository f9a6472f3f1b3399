#pragma once

// One node's complete Ignition config: the building blocks of node.hpp put
// together by role, the user's extra Ignition merged last, and the result
// checked against the Ignition 3.4 rules.

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/ignition/extra.hpp"
#include "pkg/ignition/node.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ocne::ignition {

enum class NodeRole {
  init,          // the first control-plane node: kubeadm init
  control_plane, // kubeadm join --control-plane
  worker,        // kubeadm join
};

std::string_view to_string(NodeRole role);

struct NodeConfig
{
  NodeRole role = NodeRole::init;
  std::string hostname;
  CommonOptions common;                 // common.join is set from role
  InitOptions init;                     // role init
  JoinOptions join;                     // other roles; join.control_plane is set from role
  const pki::ClusterPki* pki = nullptr; // role init
  // Control planes behind the internal load balancer.
  std::optional<VirtualIpOptions> virtual_ip;
  std::vector<NicOptions> nics;
  ProxyOptions proxy;
  UserOptions user;
  std::vector<ExtraIgnition> extra;
};

// The validated, compact Ignition JSON (a Secret: it holds keys and tokens).
Result<Secret> render_node_config(const NodeConfig& node);

} // namespace ocne::ignition
