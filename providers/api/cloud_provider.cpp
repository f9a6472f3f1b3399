#include "providers/api/cloud_provider.hpp"

#include <fmt/format.h>

namespace ocne::providers {

CloudProvider::~CloudProvider() = default;

void
CloudProvider::check_for(const config::LoadedConfig& loaded, config::Purpose purpose, config::Checker& ck) const
{
  const auto& c = loaded.config;
  if (lifecycle() == Lifecycle::cluster_api && purpose != config::Purpose::image &&
      c.control_plane_nodes.get() % 2 == 0) {
    ck.fail("controlPlaneNodes",
            fmt::format("must be odd for the {} provider so etcd keeps a majority, got {}",
                        c.provider.get(),
                        c.control_plane_nodes.get()));
  }
}

Result<UploadResult>
CloudProvider::upload_image(const UploadRequest& /*request*/, UploadContext& /*context*/) const
{
  return make_error(ErrorKind::internal, "provider {} takes no image uploads", name());
}

Result<std::unique_ptr<cluster::Driver>>
CloudProvider::start_driver(ProviderContext& /*context*/) const
{
  return make_error(ErrorKind::internal, "provider {} has no driver of its own", name());
}

Result<std::unique_ptr<cluster::Driver>>
CloudProvider::delete_driver(ProviderContext& /*context*/) const
{
  return make_error(ErrorKind::internal, "provider {} has no driver of its own", name());
}

Result<std::optional<EphemeralManagement>>
CloudProvider::ephemeral_management(const config::ClusterConfig& /*target*/,
                                    const Environment& /*env*/,
                                    const StateDir& /*state*/,
                                    ProgressSink& /*progress*/) const
{
  return std::optional<EphemeralManagement>();
}

Result<std::unique_ptr<capi::CloudSession>>
CloudProvider::open(ProviderContext& /*context*/) const
{
  return make_error(ErrorKind::internal, "provider {} does not use Cluster API", name());
}

} // namespace ocne::providers
