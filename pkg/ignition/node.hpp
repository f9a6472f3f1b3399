#pragma once

// What ocne puts into an OCK node's Ignition (research ocne.md §5), as
// building blocks each provider composes: the common bootstrap part, the
// kubeadm init or join config with the cluster CA, the virtual IP assets
// (keepalived + an nginx proxy) for control planes behind the internal load
// balancer, NIC files, proxy drop-ins, hostname and the ocne user.

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/ignition/config.hpp"
#include "pkg/ignition/kubeadm.hpp"
#include "pkg/pki/cluster_pki.hpp"

#include <string>
#include <vector>

namespace ocne::ignition {

struct CommonOptions
{
  std::string os_registry = "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree";
  std::string os_tag = "1.33";
  std::string container_registry = "container-registry.oracle.com";
  std::string net_interface; // NET_INTERFACE for ocne.service
  bool join = false;         // ACTION=join, else init
};

// /etc/ocne/update.yaml, /etc/ocne/ocne.sh, ocne.service (+ bootstrap.conf
// drop-in), ocne-update.service, crio and kubelet enabled, registries.conf,
// the kubeadm patch hook and folder.
Status add_common(Config& config, const CommonOptions& options);

// /etc/kubernetes/kubeadm.conf (init) and the cluster CA material kubeadm
// picks up from /etc/kubernetes/pki.
Status add_kubeadm_init(Config& config, const InitOptions& options, const pki::ClusterPki& pki);
// /etc/kubernetes/kubeadm.conf (join).
Status add_kubeadm_join(Config& config, const JoinOptions& options);

struct VirtualIpOptions
{
  std::string address;          // the virtual IP
  std::string net_interface;    // where keepalived announces it
  unsigned api_port = 6443;     // nginx listens here
  unsigned backend_port = 6444; // the local kube-apiserver
  std::string nginx_image = "container-registry.oracle.com/olcne/nginx:1.17.7-1";
  std::string proxy_dropin; // proxy drop-in for ocne-nginx.service ("" = none)
};
Status add_virtual_ip(Config& config, const VirtualIpOptions& options);

struct NicOptions
{
  std::string name; // enp1s0
  bool default_route = true;
};
// /etc/sysconfig/network-scripts/ifcfg-<nic> (DHCP, IPv6 autoconf).
Status add_nic(Config& config, const NicOptions& options);

struct ProxyOptions
{
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;
};
// The [Service] drop-in text; "" when neither proxy is set.
std::string proxy_dropin(const ProxyOptions& options);
// proxy.conf drop-ins on crio, kubelet, ocne-update and rpm-ostreed.
Status add_proxy(Config& config, const ProxyOptions& options);

// /etc/hostname.
Status add_hostname(Config& config, const std::string& hostname);

struct UserOptions
{
  std::string ssh_public_key; // one or more keys, one per line
  std::string password_hash;  // crypt(3) hash; empty = none
};
// User ocne (group wheel, OCK's rescue shell) with the SSH keys.
Status add_ocne_user(Config& config, const UserOptions& options);

} // namespace ocne::ignition
