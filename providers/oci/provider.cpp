#include "providers/oci/provider.hpp"

#include "providers/api/boot_image_builder.hpp"
#include "providers/oci/config_rules.hpp"
#include "providers/oci/image_recipe.hpp"
#include "providers/oci/image_upload.hpp"
#include "providers/oci/session.hpp"
#include "providers/oci/stack.hpp"

namespace ocne::providers::oci {

namespace {

class OciProvider final : public CloudProvider
{
public:
  std::string_view
  name() const override
  {
    return "oci";
  }

  Lifecycle
  lifecycle() const override
  {
    return Lifecycle::cluster_api;
  }

  int
  help_rank() const override
  {
    return 0;
  }

  void
  check_values(const config::LoadedConfig& loaded, config::Checker& checker) const override
  {
    check_config_values(loaded, checker);
  }

  void
  check_late(const config::LoadedConfig& loaded, config::Checker& checker) const override
  {
    check_config_late(loaded, checker);
  }

  void
  check_for(const config::LoadedConfig& loaded, config::Purpose purpose, config::Checker& checker) const override
  {
    CloudProvider::check_for(loaded, purpose, checker);
    check_config_for(loaded, purpose, checker);
  }

  image::ImageRecipe
  boot_image_recipe() const override
  {
    return image_recipe();
  }

  bool
  takes_uploads() const override
  {
    return true;
  }

  Result<UploadResult>
  upload_image(const UploadRequest& request, UploadContext& context) const override
  {
    return oci::upload_image(request, context);
  }

  CapiSettings
  capi_settings(const config::ClusterConfig& c) const override
  {
    const auto& p = c.providers.oci;
    return { p.kubeconfig.get(),        "providers.oci.kubeconfig", p.self_managed.get(),
             p.proxy.https_proxy.get(), p.proxy.http_proxy.get(),   p.proxy.no_proxy.get() };
  }

  const clusterctl::Stack*
  stack() const override
  {
    return &oci::stack();
  }

  Result<std::unique_ptr<capi::CloudSession>>
  open(ProviderContext& context) const override
  {
    const auto& loaded = context.loaded;
    OciSessionOptions o;
    o.config = loaded.config;
    o.env = context.env;
    o.profile_given = loaded.origin("providers.oci.profile").source != config::Origin::Source::builtin;
    o.build_image = boot_image_builder(context, image_recipe());
    o.state_dir = context.state.root();
    o.cwd = context.env.cwd();
    o.home = context.env.home();
    return make_session(std::move(o));
  }
};

} // namespace

const CloudProvider&
provider()
{
  static const OciProvider p;
  return p;
}

} // namespace ocne::providers::oci
