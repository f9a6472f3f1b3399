#pragma once

// Rendering a cluster's Cluster API resources for `cluster start`, shared by
// oci and oxide: the user's clusterDefinition as it is, or the provider's
// template with its boot images settled first. An image the config names is
// used as it is; else the one the cloud already has (looked up as
// `cluster template` does); else the flavor builds and uploads it, every
// missing architecture at once, and the template is rendered again with the
// new ids. Any other placeholder left is an error listing each.

#include "pkg/cluster_templates/cluster_template.hpp"
#include "pkg/config/cluster_config.hpp"
#include "providers/capi/cloud_session.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ocne::providers::capi {

// A template variable that holds a boot image id, and its architecture.
struct ImageSlot
{
  std::string variable; // "OCI_IMAGE_ID_ARM64"
  std::string arch;     // "arm64"
};

struct RenderInputs
{
  config::ClusterConfig config;
  // The cloud's part of the template, with its lookups.
  std::unique_ptr<cluster_templates::CloudTemplate> cloud;
  std::vector<ImageSlot> slots;
  // The id of arch's image as the config names it ("" when it does not).
  std::function<std::string(const config::ClusterConfig&, const std::string& arch)> configured_image;
  // Puts an image id into the config.
  std::function<void(config::ClusterConfig&, const std::string& arch, const std::string& id)> set_image;
  // Builds the image for arch and uploads it (or finds the upload of an
  // interrupted run); returns its id.
  std::function<Result<std::string>(const std::string& arch, ProgressSink& progress)> build_and_upload;
  // The directory relative clusterDefinition paths start from.
  fs::Path cwd;
  fs::Path home;
};

Result<RenderedResources> render_resources(const RenderInputs& in, const KnownImages& known, ProgressSink& progress);

} // namespace ocne::providers::capi
