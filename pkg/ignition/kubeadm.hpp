#pragma once

// kubeadm configuration files for OCK nodes: InitConfiguration plus
// ClusterConfiguration for the first control-plane node, JoinConfiguration
// for the others. kubeadm.k8s.io/v1beta3 for Kubernetes < 1.31 (as ocne
// writes it), v1beta4 from 1.31 on (v1beta3 is deprecated there and goes
// away later); the content is the same, v1beta4 writes extra arguments as
// name/value lists.
//
// The node's own address is not known when the config is written: the
// literal NODE_IP is replaced by /etc/ocne/ocne.sh on the node at boot.

#include "pkg/core/secret.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::ignition {

enum class KubeadmApi { v1beta3, v1beta4 };

// v1beta4 for 1.31 and later, v1beta3 before.
KubeadmApi kubeadm_api_for(std::string_view kubernetes_version);
std::string_view to_string(KubeadmApi api);

inline constexpr std::string_view k_node_ip_placeholder = "NODE_IP";
inline constexpr std::string_view k_patches_dir = "/etc/ocne/ock/patches";

struct InitOptions
{
  KubeadmApi api = KubeadmApi::v1beta4;
  std::string kubernetes_version; // full, e.g. 1.33.5
  std::string etcd_tag;
  std::string coredns_tag;
  std::string image_repository = "container-registry.oracle.com/olcne";
  std::string api_address;   // controlPlaneEndpoint host (virtual IP / LB / 127.0.0.1)
  unsigned api_port = 6443;  // controlPlaneEndpoint port
  unsigned bind_port = 6443; // the local kube-apiserver (6444 behind the internal LB)
  std::string pod_subnet = "10.244.0.0/16";
  std::string service_subnet = "10.96.0.0/12";
  // kube-proxy, which kubeadm installs: iptables, ipvs or nftables.
  std::string kube_proxy_mode = "iptables";
  std::vector<std::string> cert_sans; // extra API server SANs (the libvirt host address)
  std::string cipher_suites;
  // No worker nodes: the control plane takes workloads (taints: []).
  bool schedulable_control_plane = false;
  Secret bootstrap_token; // created by kubeadm init (24 h, default groups)
  Secret certificate_key; // for --upload-certs
};

struct JoinOptions
{
  KubeadmApi api = KubeadmApi::v1beta4;
  std::string api_address;
  unsigned api_port = 6443;
  Secret bootstrap_token;
  std::string ca_cert_hash; // sha256:...
  bool control_plane = false;
  unsigned bind_port = 6443; // control-plane joins: the local kube-apiserver port
  Secret certificate_key;    // control-plane joins
  std::string cipher_suites;
};

// "InitConfiguration\n---\nClusterConfiguration" (secret: holds the token).
Secret init_configuration_yaml(const InitOptions& options);
Secret join_configuration_yaml(const JoinOptions& options);

} // namespace ocne::ignition
