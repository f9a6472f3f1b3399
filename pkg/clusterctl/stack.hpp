#pragma once

// Which Cluster API components a provider's management cluster runs: a
// Stack, one row per component, in install order. A row says where the
// component's release files are, which images replace the ones they name,
// which variables ocne sets and which CRD fields are added. The rows every
// stack shares are here (cert-manager, Oracle's core, kubeadm bootstrap and
// control plane); each Cluster API cloud puts them together with its
// infrastructure provider (CloudProvider::stack(), in providers/<cloud>).
// research/components.md (in ../shared) explains each choice; docs/components.md
// tells users.

#include <string>
#include <string_view>
#include <vector>

namespace ocne::clusterctl {

// clusterctl's provider types (inventory Provider .type).
enum class ProviderType { cert_manager, core, bootstrap, control_plane, infrastructure };
std::string_view to_string(ProviderType type);

// Replaces container images whose last path element is `name`: the part
// before it becomes `repository` and the tag becomes `tag` (empty: kept).
// clusterctl.yaml's `images:` entries have the same shape, with name "" for
// every image of the provider.
struct ImageOverride
{
  std::string name;
  std::string repository;
  std::string tag;
};

// Adds string properties to an object in one version of a CRD's schema
// (Oracle's Ignition fields in the kubeadm CRDs).
struct CrdPatch
{
  std::string crd;     // "kubeadmconfigs.bootstrap.cluster.x-k8s.io"
  std::string version; // "v1beta1"
  // Property path below openAPIV3Schema, e.g. {"spec", "ignition"}.
  std::vector<std::string> path;
  struct Field
  {
    std::string name;
    std::string description;
  };
  std::vector<Field> fields;
};

struct Component
{
  // clusterctl's provider label: overrides/<label>/<version>/<file> and the
  // cluster.x-k8s.io/provider label ("cluster-api", "bootstrap-kubeadm").
  std::string label;
  // The inventory's providerName ("cluster-api", "kubeadm", "oci").
  std::string provider_name;
  ProviderType type;
  // What ocne's log lines call it ("core-capi", "capoci").
  std::string display_name;
  // "Waiting for <wait_title>: ok".
  std::string wait_title;
  std::string version;    // "v1.10.8"
  std::string components; // "core-components.yaml"
  std::string metadata;   // "metadata.yaml"; empty for cert-manager
  // Release folder: the files are <release_url>/<file>.
  std::string release_url;
  std::vector<ImageOverride> images;
  // Variables ocne sets for this component (the environment still wins).
  std::vector<std::pair<std::string, std::string>> variables;
  std::vector<CrdPatch> crd_patches;
};

struct Stack
{
  std::string provider; // "oci", "oxide"
  // Contract of the core provider; infrastructure, bootstrap and control
  // plane must speak it or one it accepts.
  std::string core_contract;
  std::vector<Component> components; // install order; cert-manager first
};

// The shared rows.
// cert-manager v1.19.4 with these images in place of upstream's.
Component cert_manager(std::vector<ImageOverride> images);
// Oracle's builds of cert-manager's images.
std::vector<ImageOverride> oracle_cert_manager_images();
// Cluster API core, kubeadm bootstrap and kubeadm control plane v1.10.8
// with Oracle's images (and Ignition CRD fields for the kubeadm two).
Component oracle_core();
Component oracle_bootstrap();
Component oracle_control_plane();
// Where upstream Cluster API's release files of a version are
// (".../cluster-api/releases/download/<version>").
std::string capi_release_url(std::string_view version);

// Contracts a core provider of `core_contract` accepts from other providers
// (v1beta2 cores accept v1beta1 providers, as clusterctl's GetCompatibleVersions).
std::vector<std::string> compatible_contracts(std::string_view core_contract);

} // namespace ocne::clusterctl
