#pragma once

// The Ignition config of each libvirt node: pkg/ignition's blocks put
// together with what the libvirt driver adds (NIC files, hostname, proxy
// drop-ins with the cluster's own addresses in no_proxy, the ocne user).

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/ignition/node_config.hpp"
#include "pkg/pki/cluster_pki.hpp"
#include "providers/libvirt/networking.hpp"
#include "providers/libvirt/options.hpp"

#include <string>

namespace ocne::providers::libvirt {

// What a cluster's nodes share: made once per start.
struct ClusterSecrets
{
  pki::ClusterPki pki;
  Secret bootstrap_token;
  Secret certificate_key;
  std::string ca_cert_hash;
};

Result<ClusterSecrets> make_cluster_secrets(const Options& options,
                                            const std::string& api_address,
                                            const std::vector<std::string>& extra_sans);

struct NodeIgnitionInput
{
  ignition::NodeRole role;
  std::string hostname;
  std::string api_address;
  std::string host_address; // where the API is forwarded on the libvirt host
};

Result<Secret> node_ignition(const Options& options,
                             const NetworkPlan& plan,
                             const ClusterSecrets& secrets,
                             const NodeIgnitionInput& node);

} // namespace ocne::providers::libvirt
