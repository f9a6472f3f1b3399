#pragma once

// The network ocne gives a cluster on OCI (as Oracle's ocne does): one VCN
// 10.0.0.0/16 with four subnets (public control plane endpoint and service
// load balancer subnets, private control plane and worker subnets) and a
// network security group per role that opens exactly what Kubernetes,
// etcd, Flannel or Calico, SSH, NodePorts and load balancers need.

#include <nlohmann/json_fwd.hpp>

#include <string_view>

namespace ocne::providers::oci {

inline constexpr std::string_view k_vcn_cidr = "10.0.0.0/16";

// OCICluster spec.networkSpec.vcn.subnets (CAPOCI v1beta2).
nlohmann::ordered_json subnets();
// OCICluster spec.networkSpec.vcn.networkSecurityGroup.list (CAPOCI v1beta2).
nlohmann::ordered_json network_security_groups();

} // namespace ocne::providers::oci
