#include "providers/oxide/provider.hpp"

#include "pkg/core/strings.hpp"
#include "providers/api/boot_image_builder.hpp"
#include "providers/oxide/config_rules.hpp"
#include "providers/oxide/image_upload.hpp"
#include "providers/oxide/session.hpp"
#include "providers/oxide/stack.hpp"

namespace ocne::providers::oxide {

namespace {

class OxideProvider final : public CloudProvider
{
public:
  std::string_view
  name() const override
  {
    return "oxide";
  }

  Lifecycle
  lifecycle() const override
  {
    return Lifecycle::cluster_api;
  }

  int
  help_rank() const override
  {
    return 1;
  }

  // Raw (Oxide imports raw blocks only), ignition.platform.id=ibmcloud (the
  // id whose Ignition reads Oxide's cidata volume), new UUIDs, no machine id.
  void
  computed_defaults(config::LoadedConfig& loaded) const override
  {
    computed_config_defaults(loaded);
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
    image::ImageRecipe r;
    r.name = "oxide";
    r.format = image::DiskFormat::raw;
    r.platform_id = "ibmcloud";
    return r;
  }

  bool
  takes_uploads() const override
  {
    return true;
  }

  Result<UploadResult>
  upload_image(const UploadRequest& request, UploadContext& context) const override
  {
    return oxide::upload_image(request, context);
  }

  // The image name's default, ocne-<major>-<minor>, follows the version.
  void
  follow_version(config::ClusterConfig& c, std::string_view from, std::string_view to) const override
  {
    const auto dashed = [](std::string_view v) { return "ocne-" + str::replace_all(v, ".", "-"); };
    if (c.providers.oxide.image_name.get() == dashed(from)) {
      c.providers.oxide.image_name = dashed(to);
    }
  }

  CapiSettings
  capi_settings(const config::ClusterConfig& c) const override
  {
    const auto& p = c.providers.oxide;
    return { p.kubeconfig.get(),        "providers.oxide.kubeconfig", p.self_managed.get(),
             p.proxy.https_proxy.get(), p.proxy.http_proxy.get(),     p.proxy.no_proxy.get() };
  }

  const clusterctl::Stack*
  stack() const override
  {
    return &oxide::stack();
  }

  Result<std::unique_ptr<capi::CloudSession>>
  open(ProviderContext& context) const override
  {
    const auto& loaded = context.loaded;
    OxideSessionOptions o;
    o.config = loaded.config;
    o.env = context.env;
    o.host_subject = loaded.subject("providers.oxide.host");
    o.profile_subject = loaded.subject("providers.oxide.profile");
    o.build_image = boot_image_builder(context, boot_image_recipe());
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
  static const OxideProvider p;
  return p;
}

} // namespace ocne::providers::oxide
