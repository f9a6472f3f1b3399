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
#include "pkg/config/load.hpp"
#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/core/state_dir.hpp"
#include "pkg/image/boot_image.hpp"
#include "providers/capi/flavor.hpp"

#include <map>
#include <memory>
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

class CloudProvider
{
public:
  virtual ~CloudProvider();

  // The value of `provider:` and of --provider.
  virtual std::string_view name() const = 0;
  virtual Lifecycle lifecycle() const = 0;
  // Where the cloud stands in the image commands' --type lists, which keep
  // ocne's order (oci, oxide, libvirt); lower comes first.
  virtual int help_rank() const = 0;

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

  // Lifecycle::direct: the cloud's own driver, for a start or a delete of
  // context.loaded's cluster. The default is an internal error.
  virtual Result<std::unique_ptr<cluster::Driver>> start_driver(ProviderContext& context) const;
  virtual Result<std::unique_ptr<cluster::Driver>> delete_driver(ProviderContext& context) const;

  // Lifecycle::cluster_api: the cloud's part of the Cluster API driver for
  // context.loaded's cluster (credentials, images, template, the objects it
  // writes, its cloud controller manager). The default is an internal error.
  virtual Result<std::unique_ptr<capi::Flavor>> open(ProviderContext& context) const;
};

} // namespace ocne::providers
