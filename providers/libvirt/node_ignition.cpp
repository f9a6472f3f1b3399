#include "providers/libvirt/node_ignition.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/pki/certificate.hpp"
#include "pkg/pki/keys.hpp"

namespace ocne::providers::libvirt {

Result<ClusterSecrets>
make_cluster_secrets(const Options& options, const std::string& api_address, const std::vector<std::string>& extra_sans)
{
  ClusterSecrets s;
  OCNE_TRY_ASSIGN(s.pki,
                  pki::make_cluster_pki({ .info = options.certificate_information,
                                          .api_address = api_address,
                                          .extra_sans = extra_sans,
                                          .service_subnet = options.service_subnet }));
  OCNE_TRY_ASSIGN(s.bootstrap_token, pki::make_bootstrap_token());
  OCNE_TRY_ASSIGN(s.certificate_key, pki::random_hex(32));
  OCNE_TRY_ASSIGN(s.ca_cert_hash, pki::ca_cert_hash(s.pki.ca.cert_pem));
  return s;
}

Result<Secret>
node_ignition(const Options& options,
              const NetworkPlan& plan,
              const ClusterSecrets& secrets,
              const NodeIgnitionInput& node)
{
  using ignition::NodeRole;
  ignition::NodeConfig n;
  n.role = node.role;
  n.hostname = node.hostname;
  n.common.os_registry = options.os_registry;
  n.common.os_tag = options.os_tag;
  n.common.container_registry = options.container_registry;
  n.common.net_interface = plan.net_interface;

  const auto api = ignition::kubeadm_api_for(options.kubernetes_full_version);
  const unsigned bind_port = plan.internal_load_balancer ? options.api_port_alt : options.api_port;
  n.init.api = api;
  n.init.kubernetes_version = options.kubernetes_full_version;
  n.init.etcd_tag = options.etcd_tag;
  n.init.coredns_tag = options.coredns_tag;
  n.init.kube_proxy_mode = options.kube_proxy_mode;
  n.init.image_repository = options.image_repository;
  n.init.api_address = node.api_address;
  n.init.api_port = options.api_port;
  n.init.bind_port = bind_port;
  n.init.pod_subnet = options.pod_subnet;
  n.init.service_subnet = options.service_subnet;
  if (!node.host_address.empty() && node.host_address != node.api_address) {
    n.init.cert_sans = { node.host_address };
  }
  n.init.cipher_suites = options.cipher_suites;
  n.init.schedulable_control_plane = options.worker_nodes == 0;
  n.init.bootstrap_token = secrets.bootstrap_token;
  n.init.certificate_key = secrets.certificate_key;
  n.pki = &secrets.pki;

  n.join.api = api;
  n.join.api_address = node.api_address;
  n.join.api_port = options.api_port;
  n.join.bootstrap_token = secrets.bootstrap_token;
  n.join.ca_cert_hash = secrets.ca_cert_hash;
  n.join.bind_port = bind_port;
  n.join.certificate_key = secrets.certificate_key;
  n.join.cipher_suites = options.cipher_suites;

  // ocne's no_proxy: the user's list plus the cluster's own addresses.
  ignition::ProxyOptions proxy = options.proxy;
  std::vector<std::string> no_proxy = str::split_trimmed(proxy.no_proxy, ',');
  for (const auto& extra : { node.api_address, options.service_subnet, options.pod_subnet }) {
    for (const auto& item : str::split_trimmed(extra, ',')) {
      if (std::find(no_proxy.begin(), no_proxy.end(), item) == no_proxy.end()) {
        no_proxy.push_back(item);
      }
    }
  }
  proxy.no_proxy = str::join(no_proxy, ",");
  n.proxy = proxy;

  if (plan.internal_load_balancer && node.role != NodeRole::worker) {
    n.virtual_ip = ignition::VirtualIpOptions{ .address = node.api_address,
                                               .net_interface = plan.net_interface,
                                               .api_port = options.api_port,
                                               .backend_port = options.api_port_alt,
                                               .proxy_dropin = ignition::proxy_dropin(proxy) };
  }
  // The first node's user-mode NIC carries the default route (and the API
  // port forward); the others route through the libvirt network.
  if (node.role == NodeRole::init) {
    n.nics.push_back({ .name = "enp0s2", .default_route = true });
  }
  if (plan.mode == NetworkMode::bridge) {
    n.nics.push_back({ .name = "enp1s0", .default_route = node.role != NodeRole::init });
  }
  n.user = { .ssh_public_key = options.ssh_public_key, .password_hash = options.password_hash };
  n.extra = options.extra_ignition;
  return ignition::render_node_config(n);
}

} // namespace ocne::providers::libvirt
