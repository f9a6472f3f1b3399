#pragma once

// How nodes are networked (ocne's two modes) and where the Kubernetes API
// lives:
//   bridge: the libvirt network (providers.libvirt.network, "default") exists;
//           nodes get a virtio NIC on it, control planes share a virtual IP
//           (virtualIp, or allocated 200 addresses past the network's gateway).
//   user:   the host has no libvirt networks at all (typical for session
//           daemons without privileges): one control-plane node on QEMU user
//           networking, the API at 127.0.0.1 inside it.
// Either way the first control-plane node also gets a user-mode NIC whose
// port forward makes the API reachable on the libvirt host.

#include "pkg/core/error.hpp"
#include "pkg/libvirt/connection.hpp"
#include "providers/libvirt/options.hpp"

#include <set>
#include <string>
#include <vector>

namespace ocne::providers::libvirt {

enum class NetworkMode { bridge, user };

struct NetworkPlan
{
  NetworkMode mode = NetworkMode::bridge;
  std::string network; // bridge mode: the libvirt network
  std::string gateway; // bridge mode: its first IPv4 address
  unsigned gateway_prefix = 0;
  std::string net_interface; // NET_INTERFACE on the nodes: enp1s0 (bridge) or enp0s2 (user)
  // The configured API address (virtualIp or loadBalancer); empty = allocate.
  std::string api_address;
  bool internal_load_balancer = true; // keepalived + nginx on the control planes
};

// Looks at the host's networks; starts the configured network when it is
// defined but inactive. Validates the node counts for the mode.
Result<NetworkPlan> plan_networking(const ocne::libvirt::Connection& connection, const Options& options);

// The virtual IP: the first address from gateway+200 in the gateway's
// subnet that is neither taken (ips.yaml) nor leased by DHCP right now.
Result<std::string> pick_virtual_ip(const std::string& gateway,
                                    unsigned prefix,
                                    const std::set<std::string>& taken,
                                    const std::set<std::string>& leased,
                                    std::string_view network);

} // namespace ocne::providers::libvirt
