#pragma once

// The one place where the cluster configuration becomes template variables.
// Each variable is one row of the table in variables.cpp: its name, the
// providers it applies to, how its value is computed from TemplateContext,
// and a line of documentation (docs/templates.md lists them all; a test
// checks it). Adding a variable is adding a row.

#include "pkg/config/cluster_config.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/template/value.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::cluster_templates {

enum class Provider { oci, oxide };
std::string_view to_string(Provider provider);

// Everything a variable may read: the configuration plus what was computed or
// looked up for it. Lookups that failed hold placeholders ("${OCI_IMAGE_ID_ARM64}").
struct TemplateContext
{
  const config::ClusterConfig& config;
  Provider provider;
  config::KubeVersion kube;
  std::string compartment_id;
  std::string control_plane_image; // OCI: image OCID for the control plane's architecture
  std::string worker_image;        // OCI: image OCID for the workers' architecture
  std::string oxide_image;         // Oxide: image UUID
  std::string ignition;            // the nodes' additionalConfig (Ignition JSON)
  std::vector<std::string> ssh_keys;
};

enum ProviderMask : unsigned { k_oci = 1, k_oxide = 2, k_both = 3 };

struct VariableSpec
{
  std::string_view name;
  unsigned providers;
  tmpl::Value (*value)(const TemplateContext&);
  std::string_view help;
};

const std::vector<VariableSpec>& variable_specs();

// The variables for ctx.provider.
tmpl::Variables template_variables(const TemplateContext& ctx);

// The Secret that holds the Oxide credentials for CAPOx (keys oxide-host and
// oxide-token) in the cluster's namespace; `cluster start` creates it.
std::string oxide_credentials_secret(std::string_view cluster_name);

} // namespace ocne::cluster_templates
