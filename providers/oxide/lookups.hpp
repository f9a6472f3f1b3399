#pragma once

// What an Oxide template needs from the cloud: the boot image's UUID (a
// UUID as it is, a name looked up in the project). What cannot be found is
// a ${NAME} placeholder, with the reason.

#include "pkg/cluster_templates/resolver.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/core/error.hpp"

#include <string>
#include <vector>

namespace ocne::providers::oxide {

// A value for a template variable, or its placeholder and why.
struct Resolved
{
  std::string value;
  std::vector<std::string> notes;
};

// providers.oxide.images.amd64, else providers.oxide.imageName.
Result<Resolved> resolve_image(const config::ClusterConfig& c, cluster_templates::ResourceResolver& resolver);

} // namespace ocne::providers::oxide
