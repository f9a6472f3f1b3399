#pragma once

// The resolver `cluster template` uses: it asks the clouds when credentials
// are there and says why not otherwise. Credentials are only read when a
// lookup is actually needed, so a cluster file that already carries OCIDs and
// UUIDs renders without touching ~/.oci or the Oxide credentials.

#include "pkg/cluster_templates/resolver.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/core/env.hpp"

#include <memory>

namespace ocne::cluster_templates {

struct LiveResolverOptions
{
  // How the config names its sources in messages ("providers.oxide.host" or
  // "capi.yaml: providers.oxide.host").
  std::string oxide_host_subject = "providers.oxide.host";
  std::string oxide_profile_subject = "providers.oxide.profile";
  // Whether providers.oci.profile was set by the user; the built-in
  // "DEFAULT" leaves room for OCI_CLI_PROFILE.
  bool oci_profile_given = false;
};

std::unique_ptr<ResourceResolver> make_live_resolver(const Environment& env,
                                                     const config::ClusterConfig& config,
                                                     LiveResolverOptions options = {});

} // namespace ocne::cluster_templates
