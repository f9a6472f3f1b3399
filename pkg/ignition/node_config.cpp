#include "pkg/ignition/node_config.hpp"

#include "pkg/ignition/validate.hpp"

namespace ocne::ignition {

std::string_view
to_string(NodeRole role)
{
  switch (role) {
    case NodeRole::init:
      return "init";
    case NodeRole::control_plane:
      return "control-plane";
    case NodeRole::worker:
      return "worker";
  }
  return "?";
}

Result<Secret>
render_node_config(const NodeConfig& node)
{
  Config config;
  CommonOptions common = node.common;
  common.join = node.role != NodeRole::init;
  OCNE_TRY(add_common(config, common));
  if (node.role == NodeRole::init) {
    if (node.pki == nullptr) {
      return make_error(ErrorKind::internal, "the init node of {} needs the cluster PKI", node.hostname);
    }
    OCNE_TRY(add_kubeadm_init(config, node.init, *node.pki));
  } else {
    JoinOptions join = node.join;
    join.control_plane = node.role == NodeRole::control_plane;
    OCNE_TRY(add_kubeadm_join(config, join));
  }
  if (node.virtual_ip && node.role != NodeRole::worker) {
    OCNE_TRY(add_virtual_ip(config, *node.virtual_ip));
  }
  for (const auto& nic : node.nics) {
    OCNE_TRY(add_nic(config, nic));
  }
  OCNE_TRY(add_proxy(config, node.proxy));
  if (!node.hostname.empty()) {
    OCNE_TRY(add_hostname(config, node.hostname));
  }
  OCNE_TRY(add_ocne_user(config, node.user));
  OCNE_TRY_ASSIGN(auto merged, merge_extra(config.to_json(), node.extra));
  OCNE_TRY(validate(merged, "the Ignition config of " + node.hostname));
  return Secret(std::move(merged));
}

} // namespace ocne::ignition
