#pragma once

// Turns one component's release file into the objects to apply, the way
// clusterctl's NewComponents does (research/components.md §3):
//   1. variables substituted (variables.hpp);
//   2. images overridden (the stack's rules, then clusterctl.yaml's);
//      ocne adds the controllers' proxy to every Deployment's containers
//      (proxy_env.hpp; not cert-manager's);
//   3. the target namespace taken from the file's single Namespace;
//   4. that Namespace added when the file has none;
//   5. namespaces rewritten: namespaced objects, ServiceAccount subjects of
//      (Cluster)RoleBindings, webhook and CRD conversion services,
//      cert-manager dnsNames and inject-ca-from annotations;
//   6. labels clusterctl.cluster.x-k8s.io and cluster.x-k8s.io/provider;
//   7. ordered: Namespaces, cert-manager.io objects, the rest;
//   8. the inventory Provider object recorded.
// cert-manager is installed as clusterctl installs it: no namespace
// rewriting (its file spans several), labelled as clusterctl's core
// cert-manager with the version annotation, no inventory entry.
// ocne adds the stack's CRD patches (Oracle's Ignition fields).

#include "pkg/clusterctl/proxy_env.hpp"
#include "pkg/clusterctl/stack.hpp"
#include "pkg/clusterctl/variables.hpp"
#include "pkg/core/error.hpp"
#include "pkg/k8s/object.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ocne::clusterctl {

inline constexpr std::string_view k_cert_manager_version_annotation = "certmanager.clusterctl.cluster.x-k8s.io/version";

struct ProcessOptions
{
  Lookup variables;
  // Applied after the component's own rules (clusterctl.yaml `images:`).
  std::vector<ImageOverride> extra_images;
  // Empty: the file's own Namespace (clusterctl's --target-namespace).
  std::string target_namespace;
  // providers.<p>.proxy, for the providers' Deployments (cert-manager's are
  // left as they are).
  ControllerProxy proxy;
};

struct ServiceRef
{
  std::string namespace_;
  std::string name;
  bool operator==(const ServiceRef&) const = default;
  auto operator<=>(const ServiceRef&) const = default;
};

struct ProcessedComponent
{
  std::string target_namespace;
  std::vector<nlohmann::json> objects; // in apply order
  std::vector<std::string> origins;    // "core-components.yaml document 3", per object
  nlohmann::json inventory;            // the Provider object; null for cert-manager
  std::vector<k8s::ObjectRef> deployments;
  std::vector<ServiceRef> webhook_services;
  std::vector<std::string> crds;
  std::vector<std::string> images; // every container image, after overrides
};

Result<ProcessedComponent> process_component(const Component& component,
                                             std::string_view text,
                                             std::string_view source,
                                             const ProcessOptions& options);

// Checks metadata.yaml: the component's release series exists and its
// contract is one the stack's core accepts.
Status check_metadata(const Component& component,
                      const Stack& stack,
                      std::string_view metadata_text,
                      std::string_view source);

// "registry/path/name:tag" with the override applied when it matches.
std::string override_image(const std::string& image, const ImageOverride& rule);

} // namespace ocne::clusterctl
