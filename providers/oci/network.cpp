#include "providers/oci/network.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace ocne::providers::oci {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view k_anywhere = "0.0.0.0/0";
constexpr std::string_view k_endpoint = "10.0.0.8/29";
constexpr std::string_view k_control_plane = "10.0.0.0/29";
constexpr std::string_view k_service_lb = "10.0.0.32/27";
constexpr std::string_view k_worker = "10.0.64.0/20";

constexpr std::string_view k_tcp = "6";
constexpr std::string_view k_udp = "17";
constexpr std::string_view k_icmp = "1";
constexpr std::string_view k_ip_in_ip = "4";
constexpr std::string_view k_all = "all";

struct Rule
{
  bool ingress;
  std::string_view description;
  std::string_view protocol;
  std::string_view cidr; // source (ingress) or destination (egress)
  int port_min = 0;      // TCP/UDP destination ports; 0 = none
  int port_max = 0;
};

Json
rule_json(const Rule& r)
{
  Json rule = { { "description", r.description } };
  if (r.ingress) {
    rule["source"] = r.cidr;
    rule["sourceType"] = "CIDR_BLOCK";
  } else {
    rule["destination"] = r.cidr;
    rule["destinationType"] = "CIDR_BLOCK";
  }
  rule["protocol"] = r.protocol;
  rule["isStateless"] = false;
  if (r.port_min != 0) {
    const Json range = { { "destinationPortRange", { { "min", r.port_min }, { "max", r.port_max } } } };
    rule[r.protocol == k_udp ? "udpOptions" : "tcpOptions"] = range;
  }
  if (r.protocol == k_icmp) {
    // Type 3 code 4: "fragmentation needed", which path MTU discovery needs.
    rule["icmpOptions"] = { { "type", 3 }, { "code", 4 } };
  }
  return Json{ { r.ingress ? "ingressRule" : "egressRule", rule } };
}

Json
group(std::string_view role, const std::vector<Rule>& rules)
{
  Json egress = Json::array();
  Json ingress = Json::array();
  for (const auto& r : rules) {
    (r.ingress ? ingress : egress).push_back(rule_json(r));
  }
  return Json{ { "name", role }, { "role", role }, { "egressRules", egress }, { "ingressRules", ingress } };
}

Rule
in(std::string_view description, std::string_view protocol, std::string_view from, int min = 0, int max = 0)
{
  return Rule{ true, description, protocol, from, min, max == 0 ? min : max };
}

Rule
out(std::string_view description, std::string_view protocol, std::string_view to, int min = 0, int max = 0)
{
  return Rule{ false, description, protocol, to, min, max == 0 ? min : max };
}

} // namespace

Json
subnets()
{
  const auto subnet = [](std::string_view role, std::string_view type, std::string_view cidr) {
    return Json{ { "name", role }, { "role", role }, { "type", type }, { "cidr", cidr } };
  };
  return Json::array({ subnet("control-plane-endpoint", "public", k_endpoint),
                       subnet("service-lb", "public", k_service_lb),
                       subnet("control-plane", "private", k_control_plane),
                       subnet("worker", "private", k_worker) });
}

Json
network_security_groups()
{
  const auto path_discovery = in("Path MTU discovery", k_icmp, "10.0.0.0/16");
  const auto api = 6443;
  return Json::array({
    group("control-plane-endpoint",
          {
            out("Kubernetes API traffic to the control plane", k_tcp, k_control_plane, api),
            in("External access to the Kubernetes API endpoint", k_tcp, k_anywhere, api),
            path_discovery,
          }),
    group("control-plane",
          {
            out("Control plane access to the Internet", k_all, k_anywhere),
            in("Kubernetes API endpoint to the API server", k_tcp, k_endpoint, api),
            in("Control plane nodes to the API server", k_tcp, k_control_plane, api),
            in("Worker nodes to the API server", k_tcp, k_worker, api),
            in("etcd client communication", k_tcp, k_control_plane, 2379),
            in("etcd peer communication", k_tcp, k_control_plane, 2380),
            in("Calico networking (BGP) from control plane nodes", k_tcp, k_control_plane, 179),
            in("Calico networking (BGP) from worker nodes", k_tcp, k_worker, 179),
            in("Calico networking (IP-in-IP) from control plane nodes", k_ip_in_ip, k_control_plane),
            in("Calico networking (IP-in-IP) from worker nodes", k_ip_in_ip, k_worker),
            path_discovery,
            in("SSH to control plane nodes", k_tcp, k_anywhere, 22),
            in("Control plane to kubelet", k_tcp, k_control_plane, 10250),
            in("Flannel networking (VXLAN) from worker nodes", k_udp, k_worker, 8472),
            in("Flannel networking (VXLAN) from control plane nodes", k_udp, k_control_plane, 8472),
          }),
    group("worker",
          {
            out("Worker node access to the Internet", k_all, k_anywhere),
            in("SSH to worker nodes", k_tcp, k_anywhere, 22),
            path_discovery,
            in("Control plane to kubelet", k_tcp, k_control_plane, 10250),
            in("Worker nodes to kubelet", k_tcp, k_worker, 10250),
            in("Calico networking (BGP) from control plane nodes", k_tcp, k_control_plane, 179),
            in("Calico networking (BGP) from worker nodes", k_tcp, k_worker, 179),
            in("Calico networking (IP-in-IP) from control plane nodes", k_ip_in_ip, k_control_plane),
            in("Calico networking (IP-in-IP) from worker nodes", k_ip_in_ip, k_worker),
            in("Worker nodes to NodePorts", k_tcp, k_worker, 30000, 32767),
            in("Service load balancers to NodePorts", k_tcp, k_service_lb, 30000, 32767),
            in("Flannel networking (VXLAN) from worker nodes", k_udp, k_worker, 8472),
            in("Flannel networking (VXLAN) from control plane nodes", k_udp, k_control_plane, 8472),
          }),
    group("service-lb",
          {
            out("Service load balancers to NodePorts", k_tcp, k_worker, 30000, 32767),
            path_discovery,
            in("HTTP to service load balancers", k_tcp, k_anywhere, 80),
            in("HTTPS to service load balancers", k_tcp, k_anywhere, 443),
          }),
  });
}

} // namespace ocne::providers::oci
