#pragma once

// A cloud ocne makes clusters on (libvirt, oci, oxide): everything that is
// specific to it, behind one interface. cmd/ finds a cloud by its name in
// the registry (providers/registry/registry.hpp) and asks it, instead of
// comparing names; outside providers/, no code names a cloud.
//
//   const auto& cloud = value_or_throw(providers::get(config.provider.get()));
//   if (cloud.lifecycle() == providers::Lifecycle::direct) {
//     auto driver = cloud.start_driver(context);      // its own cluster::Driver
//   } else {
//     auto session = cloud.open(context);              // for the Cluster API driver
//   }

#include "pkg/cluster/driver.hpp"
#include "pkg/cluster/ephemeral.hpp"
#include "pkg/clusterctl/stack.hpp"
#include "pkg/config/load.hpp"
#include "pkg/config/provider_rules.hpp"
#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/core/state_dir.hpp"
#include "pkg/image/boot_image.hpp"
#include "pkg/image/provider_image.hpp"
#include "providers/capi/cloud_session.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::providers {

// How a cloud's clusters are made.
enum class Lifecycle {
  direct,      // by the cloud's own cluster::Driver (libvirt)
  cluster_api, // by the Cluster API driver (providers/capi), with the cloud's session
};

// What cmd/ hands a cloud for one command. No CLI types.
struct ProviderContext
{
  const config::LoadedConfig& loaded;
  const Environment& env;
  const StateDir& state;
  ProgressSink& progress;
  // The boot disk the cloud's images are built from, by architecture
  // ("amd64", "arm64"): cmd/ reads the registry settings, on this thread,
  // and a failure is kept as a value until an image is really needed.
  std::map<std::string, Result<image::BootImageOptions>, std::less<>> boot_images;
};

// A flag of `cluster start` or `cluster delete` that only this cloud reads:
// "-s,--session" sets providers.libvirt.uri.
struct FlagAlias
{
  std::string names;
  std::string key;
  std::string help;
};

// `image upload --type <cloud>` as the user typed it.
struct UploadRequest
{
  std::string file;
  std::string arch;    // "" when not given
  std::string version; // --version, or its default
  std::string image_name;
  std::string bucket;
  std::string compartment;
  std::string project;
  std::string profile;
  // Long names of the flags given on the command line ("--profile").
  std::set<std::string> given;

  bool
  was_given(const std::string& flag) const
  {
    return given.count(flag) != 0;
  }
};

struct UploadContext
{
  const Environment& env;
  const StateDir& state;
  ProgressSink& progress;
  // Loads the configuration as every command does (built-in defaults, the
  // defaults file, --config, then these flag values), warnings logged.
  std::function<Result<config::LoadedConfig>(config::Layer flags, std::string_view default_provider)> load;
};

struct UploadResult
{
  // What the cloud's configuration takes as the image (an OCID, a UUID);
  // cmd/ prints it.
  std::string id;
};

// The management cluster settings of a Cluster API cloud
// (providers.<cloud>.kubeconfig, selfManaged, proxy).
struct CapiSettings
{
  std::string kubeconfig;     // "" when not set
  std::string kubeconfig_key; // its key, for messages ("providers.oci.kubeconfig")
  bool self_managed = false;
  // For the Cluster API controllers a start installs.
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;
};

// How a cloud runs the ephemeral management cluster on this host.
struct EphemeralManagement
{
  cluster::EphemeralStarter start;
  cluster::EphemeralDeleter remove;
};

// A cloud is also the rules of its configuration section
// (config::ProviderRules: computed defaults and checks).
class CloudProvider : public config::ProviderRules
{
public:
  ~CloudProvider() override;

  // The value of `provider:` and of --provider.
  virtual std::string_view name() const = 0;
  virtual Lifecycle lifecycle() const = 0;
  // Where the cloud stands in the image commands' --type lists, which keep
  // ocne's order (oci, oxide, libvirt); lower comes first.
  virtual int help_rank() const = 0;

  // For what a command is about to do: a Cluster API cloud's control plane
  // has an odd number of nodes (etcd keeps a majority). A cloud that adds
  // checks calls this first.
  void check_for(const config::LoadedConfig& loaded, config::Purpose purpose, config::Checker& checker) const override;

  // Flags that only mean something for this cloud, added to `cluster start`
  // and `cluster delete` after the shared node-count flags.
  virtual std::vector<FlagAlias>
  start_flags() const
  {
    return {};
  }
  virtual std::vector<FlagAlias>
  delete_flags() const
  {
    return {};
  }

  // How the cloud's boot image is made from the boot disk (`image create
  // --type`, `image info --type`, and the images a Cluster API start builds).
  virtual image::ImageRecipe boot_image_recipe() const = 0;

  // `image upload`: whether the cloud takes uploads, and the upload. The
  // default upload is an internal error.
  virtual bool
  takes_uploads() const
  {
    return false;
  }
  virtual Result<UploadResult> upload_image(const UploadRequest& request, UploadContext& context) const;

  // Lifecycle::direct: the cloud's own driver, for a start or a delete of
  // context.loaded's cluster. The default is an internal error.
  virtual Result<std::unique_ptr<cluster::Driver>> start_driver(ProviderContext& context) const;
  virtual Result<std::unique_ptr<cluster::Driver>> delete_driver(ProviderContext& context) const;

  // The values that follow the Kubernetes version unless the user set them
  // to something else (Oxide's image name), moved from one minor to the
  // next.
  virtual void
  follow_version(config::ClusterConfig& /*config*/, std::string_view /*from*/, std::string_view /*to*/) const
  {
  }

  // A cloud that can run the ephemeral management cluster of the Cluster
  // API clouds on this host (libvirt): its starter and deleter, for the
  // cluster target. nullopt from the others.
  virtual Result<std::optional<EphemeralManagement>> ephemeral_management(const config::ClusterConfig& target,
                                                                          const Environment& env,
                                                                          const StateDir& state,
                                                                          ProgressSink& progress) const;

  // Lifecycle::cluster_api: the management cluster settings.
  virtual CapiSettings
  capi_settings(const config::ClusterConfig& /*config*/) const
  {
    return {};
  }
  // Lifecycle::cluster_api: the Cluster API components its management
  // cluster runs (cert-manager, core, bootstrap, control plane and the
  // cloud's infrastructure provider). nullptr from the others.
  virtual const clusterctl::Stack*
  stack() const
  {
    return nullptr;
  }
  // Lifecycle::cluster_api: the cloud's part of the Cluster API driver for
  // context.loaded's cluster (credentials, images, template, the objects it
  // writes, its cloud controller manager). The default is an internal error.
  virtual Result<std::unique_ptr<capi::CloudSession>> open(ProviderContext& context) const;
};

} // namespace ocne::providers
