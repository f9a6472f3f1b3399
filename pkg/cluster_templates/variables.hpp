#pragma once

// The one place where the cluster configuration becomes template variables.
// Each variable is one row of a table: its name, how its value is computed
// from TemplateContext, and a line of documentation (docs/templates.md lists
// them all; a test checks it). The rows every cloud shares are in
// variables.cpp; each cloud's own rows are in its provider
// (providers/<cloud>, cloud_template.hpp). Adding a variable is adding a row.

#include "pkg/config/cluster_config.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/template/value.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocne::cluster_templates {

// Everything a variable may read: the configuration plus what was computed or
// looked up for it. Lookups that failed hold placeholders ("${OCI_IMAGE_ID_ARM64}").
struct TemplateContext
{
  const config::ClusterConfig& config;
  config::KubeVersion kube;
  std::string namespace_; // of every object
  std::string ignition;   // the nodes' additionalConfig (Ignition JSON)
  std::vector<std::string> ssh_keys;
  // The cloud's kubelet arguments, after cloud-provider=external.
  std::vector<std::pair<std::string, std::string>> kubelet_args;
  // What the cloud looked up, by variable name (CloudValues::values).
  std::map<std::string, std::string, std::less<>> found;

  // found's value for name, "" when there is none.
  std::string lookup(std::string_view name) const;
};

struct VariableSpec
{
  std::string_view name;
  tmpl::Value (*value)(const TemplateContext&);
  std::string_view help;
};

// The rows every cloud shares.
const std::vector<VariableSpec>& shared_variable_specs();

// The shared rows' variables plus the cloud's.
tmpl::Variables template_variables(const TemplateContext& ctx, const std::vector<VariableSpec>& cloud_rows);

} // namespace ocne::cluster_templates
