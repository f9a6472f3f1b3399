#include "pkg/clusterctl/stack.hpp"

#include <algorithm>

namespace ocne::clusterctl {

namespace {

constexpr const char* k_capi_release = "https://github.com/kubernetes-sigs/cluster-api/releases/download/";
constexpr const char* k_oracle_registry = "container-registry.oracle.com/olcne";

// Oracle's Ignition fields: Butane variant and version select the renderer
// that writes Ignition 3.4 for OCK nodes (research/components.md §2).
std::vector<CrdPatch::Field>
ignition_fields()
{
  return {
    { "variant", "Variant selects the Operating System variant to use for the generated configuration" },
    { "version", "Version selects the version of Butane to use for generated configuration" },
  };
}

std::vector<CrdPatch>
bootstrap_patches()
{
  return {
    { "kubeadmconfigs.bootstrap.cluster.x-k8s.io", "v1beta1", { "spec", "ignition" }, ignition_fields() },
    { "kubeadmconfigtemplates.bootstrap.cluster.x-k8s.io",
      "v1beta1",
      { "spec", "template", "spec", "ignition" },
      ignition_fields() },
  };
}

std::vector<CrdPatch>
control_plane_patches()
{
  return {
    { "kubeadmcontrolplanes.controlplane.cluster.x-k8s.io",
      "v1beta1",
      { "spec", "kubeadmConfigSpec", "ignition" },
      ignition_fields() },
    { "kubeadmcontrolplanetemplates.controlplane.cluster.x-k8s.io",
      "v1beta1",
      { "spec", "template", "spec", "kubeadmConfigSpec", "ignition" },
      ignition_fields() },
  };
}

} // namespace

std::string
capi_release_url(std::string_view version)
{
  return std::string(k_capi_release) + std::string(version);
}

Component
cert_manager(std::vector<ImageOverride> images)
{
  return { .label = "cert-manager",
           .provider_name = "cert-manager",
           .type = ProviderType::cert_manager,
           .display_name = "cert-manager",
           .wait_title = "cert-manager",
           .version = "v1.19.4",
           .components = "cert-manager.yaml",
           .metadata = "",
           .release_url = "https://github.com/cert-manager/cert-manager/releases/download/v1.19.4",
           .images = std::move(images),
           .variables = {},
           .crd_patches = {} };
}

std::vector<ImageOverride>
oracle_cert_manager_images()
{
  std::vector<ImageOverride> out;
  for (const char* name : { "cert-manager-controller",
                            "cert-manager-webhook",
                            "cert-manager-cainjector",
                            "cert-manager-acmesolver",
                            "cert-manager-startupapicheck" }) {
    out.push_back({ name, k_oracle_registry, "v1.19.4" });
  }
  return out;
}

// Oracle's 1.10.8 build publishes images only: the upstream v1.10.8 release
// files with Oracle's images and CRD fields are what its charts install.
Component
oracle_core()
{
  return { .label = "cluster-api",
           .provider_name = "cluster-api",
           .type = ProviderType::core,
           .display_name = "core-capi",
           .wait_title = "Core Cluster API Controllers",
           .version = "v1.10.8",
           .components = "core-components.yaml",
           .metadata = "metadata.yaml",
           .release_url = capi_release_url("v1.10.8"),
           .images = { { "cluster-api-controller", k_oracle_registry, "v1.10.8" } },
           .variables = {},
           .crd_patches = {} };
}

Component
oracle_bootstrap()
{
  return { .label = "bootstrap-kubeadm",
           .provider_name = "kubeadm",
           .type = ProviderType::bootstrap,
           .display_name = "bootstrap-capi",
           .wait_title = "Kubeadm Bootstrap Cluster API Controllers",
           .version = "v1.10.8",
           .components = "bootstrap-components.yaml",
           .metadata = "metadata.yaml",
           .release_url = capi_release_url("v1.10.8"),
           .images = { { "kubeadm-bootstrap-controller", k_oracle_registry, "v1.10.8" } },
           .variables = { { "EXP_KUBEADM_BOOTSTRAP_FORMAT_IGNITION", "true" } },
           .crd_patches = bootstrap_patches() };
}

Component
oracle_control_plane()
{
  return { .label = "control-plane-kubeadm",
           .provider_name = "kubeadm",
           .type = ProviderType::control_plane,
           .display_name = "control-plane-capi",
           .wait_title = "Kubeadm Control Plane Cluster API Controllers",
           .version = "v1.10.8",
           .components = "control-plane-components.yaml",
           .metadata = "metadata.yaml",
           .release_url = capi_release_url("v1.10.8"),
           .images = { { "kubeadm-control-plane-controller", k_oracle_registry, "v1.10.8" } },
           .variables = { { "EXP_KUBEADM_BOOTSTRAP_FORMAT_IGNITION", "true" } },
           .crd_patches = control_plane_patches() };
}

std::string_view
to_string(ProviderType type)
{
  switch (type) {
    case ProviderType::cert_manager:
      return "CertManager";
    case ProviderType::core:
      return "CoreProvider";
    case ProviderType::bootstrap:
      return "BootstrapProvider";
    case ProviderType::control_plane:
      return "ControlPlaneProvider";
    case ProviderType::infrastructure:
      return "InfrastructureProvider";
  }
  return "Unknown";
}

std::vector<std::string>
compatible_contracts(std::string_view core_contract)
{
  if (core_contract == "v1beta2") {
    return { "v1beta2", "v1beta1" };
  }
  return { std::string(core_contract) };
}

} // namespace ocne::clusterctl
