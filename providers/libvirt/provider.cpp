#include "providers/libvirt/provider.hpp"

#include "providers/libvirt/driver.hpp"
#include "providers/libvirt/env_overrides.hpp"
#include "providers/libvirt/ephemeral.hpp"

namespace ocne::providers::libvirt {

namespace {

class LibvirtProvider final : public CloudProvider
{
public:
  std::string_view
  name() const override
  {
    return k_provider;
  }

  Lifecycle
  lifecycle() const override
  {
    return Lifecycle::direct;
  }

  int
  help_rank() const override
  {
    return 2;
  }

  // The boot disk as it is (ignition.platform.id=qemu); customized only
  // when another platform id or kernel arguments are asked for.
  image::ImageRecipe
  boot_image_recipe() const override
  {
    image::ImageRecipe r;
    r.name = "libvirt";
    r.format = image::DiskFormat::qcow2;
    r.platform_id = "qemu";
    r.as_is_when_default = true;
    return r;
  }

  std::vector<FlagAlias>
  start_flags() const override
  {
    return { { "-s,--session", "providers.libvirt.uri", "libvirt URI, e.g. qemu:///system or user@host" },
             { "-i,--key", "providers.libvirt.sshKey", "SSH key (accepted for compatibility with ocne, unused)" } };
  }

  std::vector<FlagAlias>
  delete_flags() const override
  {
    return { { "-s,--session", "providers.libvirt.uri", "libvirt URI" } };
  }

  // The ephemeral cluster takes the libvirt knobs `cluster start -P libvirt`
  // does.
  Result<std::optional<EphemeralManagement>>
  ephemeral_management(const config::ClusterConfig& target,
                       const Environment& env,
                       const StateDir& state,
                       ProgressSink& progress) const override
  {
    EphemeralHooks hooks;
    OCNE_TRY_ASSIGN(hooks.adjust, env_overrides(env));
    return std::optional<EphemeralManagement>(EphemeralManagement{
      ephemeral_starter(env, state, progress, hooks), ephemeral_deleter(target, env, state, progress, hooks) });
  }

  Result<std::unique_ptr<cluster::Driver>>
  start_driver(ProviderContext& context) const override
  {
    OCNE_TRY_ASSIGN(auto options, options_from_config(context.loaded.config, context.env, context.state));
    OCNE_TRY_ASSIGN(const auto adjust, env_overrides(context.env));
    adjust(options);
    return std::make_unique<LibvirtDriver>(std::move(options));
  }

  Result<std::unique_ptr<cluster::Driver>>
  delete_driver(ProviderContext& context) const override
  {
    OCNE_TRY_ASSIGN(auto options, delete_options_from_config(context.loaded.config, context.env, context.state));
    return std::make_unique<LibvirtDriver>(std::move(options));
  }
};

} // namespace

const CloudProvider&
provider()
{
  static const LibvirtProvider p;
  return p;
}

} // namespace ocne::providers::libvirt
