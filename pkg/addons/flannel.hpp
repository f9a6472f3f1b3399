#pragma once

// flannel for a cluster's pod network: IPv4, IPv6 or dual stack (the first
// CIDR of each family in podSubnet), vxlan, --ip-masq and --kube-subnet-mgr,
// an --iface per interface the provider names, OCK's flannel image. No CNI
// plugin install step: OCK nodes ship the plugin.

#include "pkg/addons/addon.hpp"

#include <string>
#include <vector>

namespace ocne::addons {

struct FlannelOptions
{
  // podSubnet, as comma-separated CIDRs or a list.
  std::vector<std::string> pod_cidrs;
  std::vector<std::string> interfaces;
  std::string image = "container-registry.oracle.com/olcne/flannel:current";
};

// The objects to apply; errors name the CIDR at fault.
Result<Addon> render_flannel(const FlannelOptions& options, const Environment& env);

} // namespace ocne::addons
