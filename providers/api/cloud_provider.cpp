#include "providers/api/cloud_provider.hpp"

namespace ocne::providers {

CloudProvider::~CloudProvider() = default;

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
