#pragma once

// The OCI side of the Cluster API driver: CAPOCI's credentials from the OCI
// profile, images named "ock" and tagged with the Kubernetes version and
// architecture (found, or built and uploaded), the capi-oci template, and the
// OCI cloud controller manager configured from the OCICluster's network.

#include "pkg/config/cluster_config.hpp"
#include "pkg/core/env.hpp"
#include "providers/capi/cloud_session.hpp"

#include <functional>
#include <memory>

namespace ocne::providers::oci {

struct OciSessionOptions
{
  config::ClusterConfig config;
  Environment env = Environment::process();
  // Whether providers.oci.profile was set (the built-in DEFAULT leaves room
  // for OCI_CLI_PROFILE).
  bool profile_given = false;
  // Builds the OCI boot image for an architecture; returns its file (cmd/
  // supplies the boot disk's source and cache).
  std::function<Result<fs::Path>(const std::string& arch, ProgressSink& progress)> build_image;
  // OCNE_HOME, where uploads keep their resume notes.
  fs::Path state_dir;
  fs::Path cwd;
  fs::Path home;
};

std::unique_ptr<capi::CloudSession> make_session(OciSessionOptions options);

} // namespace ocne::providers::oci
