#include "cmd/ocne/image_common.hpp"

#include "pkg/image/registry_client.hpp"

namespace ocne::cli {

image::BootImageOptions
boot_image_options(const Context& ctx,
                   const config::LoadedConfig& loaded,
                   const std::string& source,
                   const std::string& arch)
{
  image::BootImageOptions b;
  const auto& c = loaded.config;
  b.version = c.kubernetes_version.get();
  b.source = source.empty() ? c.boot_volume_container_image.get() : source;
  b.arch = value_or_throw(image::parse_arch(arch));
  b.images_dir = ctx.state.images_dir();
  b.source_options.registry = image::registry_options_from_env(ctx.env);
  b.source_options.cwd = ctx.env.cwd();
  b.source_options.home = ctx.env.home();
  throw_on_error(ctx.state.ensure());
  return b;
}

} // namespace ocne::cli
