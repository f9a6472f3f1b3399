#include "providers/libvirt/networking.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/pki/ip.hpp"

namespace ocne::providers::libvirt {

Result<NetworkPlan>
plan_networking(const ocne::libvirt::Connection& connection, const Options& options)
{
  if (!options.virtual_ip.empty() && !options.load_balancer.empty()) {
    return make_error(ErrorKind::invalid_input, "virtualIp and loadBalancer cannot both be set");
  }
  NetworkPlan plan;
  OCNE_TRY_ASSIGN(auto network, connection.find_network(options.network));
  if (network) {
    plan.mode = NetworkMode::bridge;
    plan.network = options.network;
    plan.net_interface = "enp1s0";
    OCNE_TRY_ASSIGN(auto active, network->is_active());
    if (!active) {
      log::info("Starting libvirt network {}", options.network);
      if (auto started = network->start(); !started) {
        return make_error(ErrorKind::unavailable,
                          "network {} on {} is not active and cannot be started: {}",
                          options.network,
                          connection.uri().text,
                          started.error().message());
      }
    }
    OCNE_TRY_ASSIGN(auto addresses, network->addresses());
    for (const auto& a : addresses) {
      if (a.family != "ipv4") {
        continue;
      }
      plan.gateway = a.address;
      if (!a.netmask.empty()) {
        const auto ip = pki::IpAddress::parse(a.address);
        if (ip) {
          OCNE_TRY_ASSIGN(auto cidr, pki::Cidr::from_netmask(*ip, a.netmask));
          plan.gateway_prefix = cidr.prefix;
        }
      } else {
        plan.gateway_prefix = a.prefix == 0 ? 24 : a.prefix;
      }
      break;
    }
  } else {
    OCNE_TRY_ASSIGN(auto all, connection.networks());
    if (!all.empty()) {
      std::vector<std::string> names;
      for (const auto& n : all) {
        names.push_back(n.name());
      }
      return make_error(ErrorKind::invalid_input,
                        "network {} does not exist on {} (it has: {}); set providers.libvirt.network to one of them",
                        options.network,
                        connection.uri().text,
                        str::join(names, ", "));
    }
    plan.mode = NetworkMode::user;
    plan.net_interface = "enp0s2";
    if (options.worker_nodes > 0) {
      return make_error(ErrorKind::invalid_input,
                        "{} has no libvirt networks, so nodes use user networking, and adding worker nodes to "
                        "user-networking clusters is not supported",
                        connection.uri().text);
    }
    if (options.control_plane_nodes > 1) {
      return make_error(ErrorKind::invalid_input,
                        "{} has no libvirt networks, so nodes use user networking, which supports one control-plane "
                        "node only",
                        connection.uri().text);
    }
  }
  if (!options.load_balancer.empty()) {
    plan.api_address = options.load_balancer;
    plan.internal_load_balancer = false;
  } else if (!options.virtual_ip.empty()) {
    plan.api_address = options.virtual_ip;
  } else if (plan.mode == NetworkMode::user) {
    plan.api_address = "127.0.0.1";
    plan.internal_load_balancer = false;
  } else if (plan.gateway.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "network {} on {} has no IPv4 address to allocate a virtual IP from; set virtualIp",
                      options.network,
                      connection.uri().text);
  }
  return plan;
}

Result<std::string>
pick_virtual_ip(const std::string& gateway,
                unsigned prefix,
                const std::set<std::string>& taken,
                const std::set<std::string>& leased,
                std::string_view network)
{
  const auto gw = pki::IpAddress::parse(gateway);
  if (!gw) {
    return make_error(ErrorKind::invalid_input, "network {} has the invalid address {}", network, str::quote(gateway));
  }
  const pki::Cidr subnet{ gw->masked(prefix), prefix };
  for (std::uint64_t step = 200;; ++step) {
    const auto candidate = gw->plus(step);
    if (!candidate || !subnet.contains(*candidate)) {
      break;
    }
    // never the broadcast address
    if (!candidate->plus(1) || !subnet.contains(*candidate->plus(1))) {
      break;
    }
    const auto text = candidate->to_string();
    if (taken.count(text) == 0 && leased.count(text) == 0) {
      return text;
    }
  }
  return make_error(ErrorKind::unavailable,
                    "no free address 200 or more past {} in network {} for the virtual IP; set virtualIp",
                    gateway,
                    network);
}

} // namespace ocne::providers::libvirt
