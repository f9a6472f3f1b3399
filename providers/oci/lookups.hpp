#pragma once

// What an OCI template needs from the cloud: the compartment's OCID (a path
// is looked up) and the boot image of each architecture (configured, else
// the newest image tagged for the Kubernetes version). What cannot be found
// is a ${NAME} placeholder, with the reason.

#include "pkg/cluster_templates/resolver.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::providers::oci {

// A value for a template variable, or its placeholder and why.
struct Resolved
{
  std::string value;
  std::vector<std::string> notes;
};

// providers.oci.compartment: an OCID as it is, a path through the resolver.
Result<Resolved> resolve_compartment(const config::ClusterConfig& c, cluster_templates::ResourceResolver& resolver);

// The image for one architecture: providers.oci.images.<arch>, else the
// newest tagged image in the compartment.
Result<Resolved> resolve_image(const config::ClusterConfig& c,
                               const config::KubeVersion& kube,
                               const std::string& compartment_id,
                               std::string_view arch,
                               cluster_templates::ResourceResolver& resolver);

} // namespace ocne::providers::oci
