#pragma once

// Cloud controller managers for the workload cluster, each with the Secret
// it reads (docs/addons.md). The Secret comes first in the add-on's objects;
// its values are secrets and never reach a log line or an error.

#include "pkg/addons/addon.hpp"
#include "pkg/core/secret.hpp"

#include <string>

namespace ocne::addons {

struct OxideCcmOptions
{
  std::string host; // https://silo.example
  Secret token;
  std::string project;
  std::string image = "ghcr.io/oxidecomputer/oxide-cloud-controller-manager:0.7.1";
};

// Secret kube-system/oxide-cloud-controller-manager (oxide-host,
// oxide-token, oxide-project) and the CCM Deployment with its RBAC.
Result<Addon> render_oxide_ccm(const OxideCcmOptions& options, const Environment& env);

struct OciCcmOptions
{
  std::string region;
  std::string tenancy;
  std::string user;
  std::string fingerprint;
  Secret key; // PEM
  Secret passphrase;
  std::string compartment;
  std::string vcn;
  // The two subnets with role service-lb of the OCICluster.
  std::string subnet1;
  std::string subnet2;
  std::string image = "ghcr.io/oracle/cloud-provider-oci:v1.30.0";
};

// The two Secrets, then the CCM DaemonSet (control plane nodes) and its RBAC.
Result<Addon> render_oci_ccm(const OciCcmOptions& options, const Environment& env);

// The YAML both OCI Secrets hold (cloud-provider.yaml of
// kube-system/oci-cloud-controller-manager, config.yaml of
// kube-system/oci-volume-provisioner): auth, compartment, vcn, loadBalancer.
Secret oci_cloud_provider_yaml(const OciCcmOptions& options);

// The two Secrets the OCI CCM and its volume provisioner read.
std::vector<nlohmann::json> oci_ccm_secrets(const OciCcmOptions& options);

} // namespace ocne::addons
