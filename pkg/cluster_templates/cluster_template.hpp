#pragma once

// `ocne cluster template`: the Cluster API resources for a cluster on a
// Cluster API cloud, rendered from the built-in template
// (templates/capi-<provider>.yaml) or the file named by
// providers.<provider>.template, with the shared variables of variables.hpp
// and the cloud's own (CloudTemplate, from the cloud's session). Values that
// need a cloud lookup come from the cloud; what it cannot find becomes a
// ${NAME} placeholder, listed in the result with the reason.
// Credentials never appear: the objects refer to Secrets that `cluster
// start` creates.

#include "pkg/cluster_templates/cloud_template.hpp"
#include "pkg/cluster_templates/variables.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/core/error.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::cluster_templates {

struct ClusterTemplate
{
  std::string yaml;                      // ends with a newline
  std::string source;                    // "capi-oci.yaml (built in)" or the override's path
  std::vector<std::string> placeholders; // "${OCI_COMPARTMENT_ID}: providers.oci.compartment is not set"
  std::vector<std::string> warnings;
  std::size_t ignition_bytes = 0; // size of the nodes' additionalConfig
  // The boot images the cloud's lookups found, by architecture.
  std::map<std::string, std::string, std::less<>> images_found;
};

Result<ClusterTemplate> render_cluster_template(const config::ClusterConfig& config, const CloudTemplate& cloud);

// Cluster API's own part of a control plane node's Ignition (certificates,
// kubeadm files and units) is about 14,000 bytes with RSA-2048 keys
// (research/oxide-ignition.md §3.2), on top of ocne's additionalConfig.
inline constexpr std::size_t k_capi_ignition_overhead = 14500;
inline constexpr std::size_t k_additional_config_limit = 32768; // the CRD's maxLength

// The ${NAME} placeholders left in rendered resources, for `cluster start`
// to refuse them.
std::vector<std::string> find_placeholders(std::string_view yaml);

} // namespace ocne::cluster_templates
