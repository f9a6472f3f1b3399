#pragma once

// The certificate material ocne makes locally for a new kubeadm cluster, so
// it holds working kubeconfigs before the first node boots: the cluster CA
// (handed to kubeadm through Ignition as /etc/kubernetes/pki/ca.{crt,key}),
// an admin client certificate, and the other CAs and keys kubeadm would
// otherwise make (etcd, front-proxy, service accounts).

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/pki/certificate.hpp"

#include <string>
#include <vector>

namespace ocne::pki {

// The certificateInformation block of the cluster config.
struct CertificateInformation
{
  std::string country = "US";
  std::string org = "OCNE";
  std::string org_unit = "OCNE";
  std::string state = "TX";
};

struct ClusterPkiOptions
{
  CertificateInformation info;
  // The Kubernetes API address nodes use (virtual IP, load balancer or host).
  std::string api_address;
  // Further addresses the API is reached on (the libvirt host's forwarded
  // address, 127.0.0.1); IPs or DNS names.
  std::vector<std::string> extra_sans;
  // Service subnets ("10.96.0.0/12", comma lists allowed); the first IP of
  // each is the in-cluster kubernetes service address.
  std::string service_subnet = "10.96.0.0/12";
};

struct ClusterPki
{
  CertKey ca;
  CertKey admin;
  CertKey etcd_ca;
  CertKey front_proxy_ca;
  Secret service_account_key;
  std::string service_account_pub;
};

Result<ClusterPki> make_cluster_pki(const ClusterPkiOptions& options);

// The SANs the admin certificate and the API server certificate carry:
// kubernetes.default... DNS names, the first service IPs, the API address,
// 127.0.0.1 and the extra SANs, split into DNS names and IPs, deduplicated.
Result<std::pair<std::vector<std::string>, std::vector<std::string>>> api_sans(const ClusterPkiOptions& options);

} // namespace ocne::pki
