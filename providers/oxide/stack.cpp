#include "providers/oxide/stack.hpp"

namespace ocne::providers::oxide {

namespace {

using clusterctl::Component;
using clusterctl::ProviderType;
using clusterctl::Stack;

// CAPOx speaks contract v1beta2, so core must be 1.11 or later; only
// Oracle's 1.10.8 kubeadm providers write Ignition 3, and a v1beta2 core
// still accepts v1beta1 providers (docs/components.md).
Stack
make_stack()
{
  Component core{ .label = "cluster-api",
                  .provider_name = "cluster-api",
                  .type = ProviderType::core,
                  .display_name = "core-capi",
                  .wait_title = "Core Cluster API Controllers",
                  .version = "v1.13.5",
                  .components = "core-components.yaml",
                  .metadata = "metadata.yaml",
                  .release_url = clusterctl::capi_release_url("v1.13.5"),
                  .images = {},
                  .variables = {},
                  .crd_patches = {} };
  Component capox{ .label = "infrastructure-oxide",
                   .provider_name = "oxide",
                   .type = ProviderType::infrastructure,
                   .display_name = "capox",
                   .wait_title = "Oxide Cluster API Controllers",
                   .version = "v0.0.12",
                   .components = "infrastructure-components.yaml",
                   .metadata = "metadata.yaml",
                   .release_url =
                     "https://github.com/oxidecomputer/cluster-api-provider-oxide/releases/download/v0.0.12",
                   .images = { { "cluster-api-provider-oxide", "ghcr.io/oxidecomputer", "v0.0.12" } },
                   .variables = {},
                   .crd_patches = {} };
  return { "oxide",
           "v1beta2",
           { clusterctl::cert_manager({}),
             std::move(core),
             std::move(capox),
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

} // namespace ocne::providers::oxide
