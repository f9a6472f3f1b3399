#pragma once

// The Oxide side of the Cluster API driver: the credentials Secret CAPOx
// reads, the image by name and content (found, or built and uploaded), the
// capi-oxide template, and the Oxide cloud controller manager.

#include "pkg/config/cluster_config.hpp"
#include "pkg/core/env.hpp"
#include "providers/capi/cloud_session.hpp"

#include <functional>
#include <memory>

namespace ocne::providers::oxide {

struct OxideSessionOptions
{
  config::ClusterConfig config;
  Environment env = Environment::process();
  // How the config names providers.oxide.host and .profile in messages.
  std::string host_subject = "providers.oxide.host";
  std::string profile_subject = "providers.oxide.profile";
  // Builds the Oxide boot image (raw); returns its file.
  std::function<Result<fs::Path>(const std::string& arch, ProgressSink& progress)> build_image;
  fs::Path state_dir;
  fs::Path cwd;
  fs::Path home;
};

std::unique_ptr<capi::CloudSession> make_session(OxideSessionOptions options);

} // namespace ocne::providers::oxide
