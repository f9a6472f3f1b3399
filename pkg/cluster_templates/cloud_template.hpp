#pragma once

// The cloud's part of a cluster template, handed to the renderer by the
// cloud's session (providers/<cloud>): which template, the namespace, what
// the cloud adds to every node, its rows of the variable table and the
// values those rows need from the cloud (looked up, or placeholders with
// their reasons). The renderer itself knows no cloud.

#include "pkg/cluster_templates/node_ignition.hpp"
#include "pkg/cluster_templates/variables.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/core/error.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocne::cluster_templates {

// What a cloud adds to every node's Ignition and kubelet.
struct NodeExtras
{
  std::vector<IgnitionFile> files;     // written after CRI-O's pre-kubeadm drop-in
  std::vector<IgnitionDropin> dropins; // likewise
  std::vector<std::string> no_proxy;   // after the cluster's subnets
  // Kubelet arguments, after cloud-provider=external.
  std::vector<std::pair<std::string, std::string>> kubelet_args;
};

// What the cloud found for its rows.
struct CloudValues
{
  // Values by variable name ("OCI_COMPARTMENT_ID"): the id found, or the
  // ${NAME} placeholder.
  std::map<std::string, std::string, std::less<>> values;
  // "${OCI_COMPARTMENT_ID}: providers.oci.compartment is not set"
  std::vector<std::string> placeholders;
  std::vector<std::string> warnings;
  // The boot images the lookups found in the cloud, by architecture.
  std::map<std::string, std::string, std::less<>> images_found;
};

class CloudTemplate
{
public:
  virtual ~CloudTemplate() = default;

  // The cloud's name: its built-in template is capi-<name>.yaml and the
  // override key providers.<name>.template.
  virtual std::string_view name() const = 0;
  // The override's path ("" when the built-in template is used).
  virtual std::string template_override(const config::ClusterConfig& config) const = 0;
  // The namespace of every object.
  virtual std::string namespace_of(const config::ClusterConfig& config) const = 0;
  virtual NodeExtras
  node_extras() const
  {
    return {};
  }
  // The cloud's rows of the variable table (variables.hpp).
  virtual const std::vector<VariableSpec>& variables() const = 0;
  // The values the rows need, for nodes whose Ignition is ignition_bytes
  // long: what the config gives, else looked up in the cloud (Lookup, in
  // resolver.hpp), else placeholders.
  virtual Result<CloudValues> look_up(const config::ClusterConfig& config,
                                      const config::KubeVersion& kube,
                                      std::size_t ignition_bytes) const = 0;
};

} // namespace ocne::cluster_templates
