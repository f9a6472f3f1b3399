#pragma once

// What providers/oci and providers/oxide each give the Cluster API driver
// (driver.hpp) for one command, opened by their CloudProvider: the
// provider's credentials for its controllers, its part of the template and
// its boot images (the driver renders them itself, render.hpp), the objects
// those resources refer to, and its cloud controller manager. Everything
// else is shared.

#include "pkg/addons/addon.hpp"
#include "pkg/cluster_templates/cloud_template.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"
#include "providers/capi/resources.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::providers::capi {

// A boot image the cluster's machines use.
struct BootImageUse
{
  std::string arch;
  std::string id;
  // "configured" (the config named it), "found" (already in the cloud) or
  // "uploaded" (built and uploaded by this run).
  std::string how;
};

struct RenderedResources
{
  std::string yaml;
  std::string source; // "capi-oci.yaml (built in)", a template override or the clusterDefinition file
  std::vector<BootImageUse> images;
};

// Image ids an earlier, interrupted run already settled, by architecture.
using KnownImages = std::map<std::string, std::string, std::less<>>;

// A template variable that holds a boot image id, and its architecture.
struct ImageSlot
{
  std::string variable; // "OCI_IMAGE_ID_ARM64"
  std::string arch;     // "arm64"
};

class CloudSession
{
public:
  virtual ~CloudSession() = default;

  virtual std::string_view provider() const = 0;
  // The cluster's configuration the session was opened for (an upgrade
  // hop's, for an upgrade).
  virtual const config::ClusterConfig& config() const = 0;
  // Where a relative clusterDefinition path starts, and the home directory.
  virtual fs::Path cwd() const = 0;
  virtual fs::Path home() const = 0;
  // Loads the credentials the start will need, so a missing or malformed
  // profile stops it before anything is recorded. Never logs them.
  virtual Status check_credentials() = 0;
  // Variables the provider's components take from ocne (CAPOCI's OCI_*_B64).
  // The values may be secrets: never log them.
  virtual Result<std::map<std::string, std::string, std::less<>>> component_values() = 0;
  // The template variables that hold boot image ids.
  virtual std::vector<ImageSlot> image_slots() const = 0;
  // The id of arch's image as config names it ("" when it does not).
  virtual std::string configured_image(const config::ClusterConfig& config, const std::string& arch) const = 0;
  // Puts an image id into config.
  virtual void set_image(config::ClusterConfig& config, const std::string& arch, const std::string& id) const = 0;
  // Builds the image for arch and uploads it (or finds the upload of an
  // interrupted run); returns its id. Called for every missing architecture
  // at once, from as many threads.
  virtual Result<std::string> build_and_upload(const std::string& arch, ProgressSink& progress) = 0;
  // The cloud's image-id rule for the rendered resources (resources.hpp):
  // what is wrong with a field's value, or "".
  virtual std::string image_id_problem(std::string_view leaf, std::string_view value) const = 0;
  // Objects the resources refer to that ocne writes into the management
  // cluster before applying them (Oxide: the credentials Secret). Returns
  // "namespace/name" of each Secret it wrote or found in place.
  virtual Result<std::vector<std::string>> prepare(k8s::Client& management, const ClusterResources& resources) = 0;
  // Secrets in the cluster's namespace named after the cluster that prepare()
  // writes, so delete removes them even without a record of the start.
  virtual std::vector<std::string>
  secret_names(const std::string& /*cluster*/) const
  {
    return {};
  }
  // The cloud controller manager for the workload cluster, with its Secret.
  virtual Result<addons::Addon> cloud_controller_manager(k8s::Client& management,
                                                         const ClusterResources& resources) = 0;
  // The cloud's part of the cluster's template (`cluster template` renders
  // with it too): a new one each time, whose lookups read the credentials
  // on first use.
  virtual std::unique_ptr<cluster_templates::CloudTemplate> cloud_template() const = 0;
};

} // namespace ocne::providers::capi
