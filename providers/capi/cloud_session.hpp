#pragma once

// What providers/oci and providers/oxide each give the Cluster API driver
// (driver.hpp): the provider's credentials for its controllers, its boot
// images and rendered resources, the objects those resources refer to, and
// its cloud controller manager. Everything else is shared.

#include "pkg/addons/addon.hpp"
#include "pkg/cluster_templates/cloud_template.hpp"
#include "pkg/core/error.hpp"
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

class Flavor
{
public:
  virtual ~Flavor() = default;

  virtual std::string_view provider() const = 0;
  // Loads the credentials the start will need, so a missing or malformed
  // profile stops it before anything is recorded. Never logs them.
  virtual Status check_credentials() = 0;
  // Variables the provider's components take from ocne (CAPOCI's OCI_*_B64).
  // The values may be secrets: never log them.
  virtual Result<std::map<std::string, std::string, std::less<>>> component_values() = 0;
  // The boot images (configured ids win, then images found in the cloud,
  // else built and uploaded) and the cluster's resources rendered with them;
  // the user's clusterDefinition instead when there is one.
  virtual Result<RenderedResources> render(const KnownImages& known, ProgressSink& progress) = 0;
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
