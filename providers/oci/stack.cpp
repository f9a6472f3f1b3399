#include "providers/oci/stack.hpp"

namespace ocne::providers::oci {

namespace {

using clusterctl::Component;
using clusterctl::ProviderType;
using clusterctl::Stack;

Stack
make_stack()
{
  Component capoci{ .label = "infrastructure-oci",
                    .provider_name = "oci",
                    .type = ProviderType::infrastructure,
                    .display_name = "capoci",
                    .wait_title = "OCI Cluster API Controllers",
                    .version = "v0.21.0",
                    .components = "infrastructure-components.yaml",
                    .metadata = "metadata.yaml",
                    .release_url = "https://github.com/oracle/cluster-api-provider-oci/releases/download/v0.21.0",
                    .images = {},
                    .variables = {},
                    .crd_patches = {} };
  // ocne's order: cert-manager, core, infrastructure, bootstrap, control plane.
  return { "oci",
           "v1beta1",
           { clusterctl::cert_manager(clusterctl::oracle_cert_manager_images()),
             clusterctl::oracle_core(),
             std::move(capoci),
             clusterctl::oracle_bootstrap(),
             clusterctl::oracle_control_plane() } };
}

} // namespace

const Stack&
stack()
{
  static const Stack s = make_stack();
  return s;
}

} // namespace ocne::providers::oci
