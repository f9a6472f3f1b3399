#pragma once

// ha-config, the HA monitor of libvirt clusters whose Kubernetes API is a
// virtual IP (what Oracle's ocne installs from its ocne-ha-monitor chart): a
// DaemonSet on the control plane nodes keeping keepalived's unicast peers and
// nginx's upstream servers equal to the API server endpoints.

#include "pkg/addons/addon.hpp"

#include <string>

namespace ocne::addons {

struct HaConfigOptions
{
  // OCK ships this image; the Pods never pull it.
  std::string image = "container-registry.oracle.com/os/oraclelinux:8";
};

Result<Addon> render_ha_config(const HaConfigOptions& options, const Environment& env);

} // namespace ocne::addons
