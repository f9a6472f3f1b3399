#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/image_common.hpp"
#include "pkg/core/log.hpp"
#include "pkg/image/provider_image.hpp"
#include "providers/registry/registry.hpp"

namespace ocne::cli {

namespace {

struct ImageCreateOptions
{
  std::string config_file;
  std::string type; // the first cloud in help order
  std::string arch = "amd64";
  std::string ignition_provider;
  std::string kernel_args;
  std::string source;
  bool force = false;
  bool refresh = false;
  ConfigFlags flags;
};

void
run_create(const ImageCreateOptions& o, Context& ctx)
{
  const auto loaded = load_config(ctx, o.config_file, o.flags, providers::default_for(providers::Command::image));
  throw_on_error(config::validate_for(loaded, config::Purpose::image));

  image::ProviderImageOptions p;
  p.recipe = value_or_throw(providers::get(o.type))->boot_image_recipe();
  p.platform_id = o.ignition_provider;
  p.kernel_args = o.kernel_args;
  p.force = o.force;
  p.boot = boot_image_options(ctx, loaded, o.source, o.arch);
  p.boot.refresh = o.refresh;
  log::info("Creating Image");
  const auto made = value_or_throw(image::create_provider_image(p, ctx.progress_sink()));
  if (made.cached) {
    log::info("The {} image is up to date: {}", o.type, made.path.string());
  }
  if (!made.metadata.empty()) {
    log::info("OCI image metadata: {}", made.metadata.string());
  }
  // The result, for scripts: the image's path.
  println(made.path.string());
}

} // namespace

void
add_image_create(CLI::App& image, Context& ctx)
{
  auto* cmd =
    image.add_subcommand("create", "Build a provider boot image from the OCK container image, on this machine");
  auto o = std::make_shared<ImageCreateOptions>();
  const auto types = providers::names_by_help_rank();
  o->type = types.front();
  cmd->add_option("--config", o->config_file, "Cluster configuration file" + default_note(""));
  cmd->add_option("-t,--type", o->type, "Image type: oci, oxide or libvirt" + default_note("oci"))
    ->check(CLI::IsMember(types));
  cmd->add_option("-a,--arch", o->arch, "Architecture: amd64 or arm64" + default_note("amd64"))
    ->check(CLI::IsMember({ "amd64", "arm64" }));
  cmd->add_option("-i,--ignition-provider",
                  o->ignition_provider,
                  "Ignition platform id to set" + default_note("oci for oci, ibmcloud for oxide, qemu for libvirt"));
  cmd->add_option(
    "-K,--kernel-args", o->kernel_args, "Kernel arguments to append to the boot entry" + default_note(""));
  o->flags.add(*cmd, "-v,--version", "kubernetesVersion", "Kubernetes version");
  cmd->add_option(
    "--source",
    o->source,
    "Container image reference or local file (OCI layout, OCI or docker archive) to use instead of bootVolumeContainerImage" +
      default_note(""));
  cmd->add_flag(
    "--force", o->force, "Build the image again even when an up-to-date one is in the cache" + default_note("false"));
  cmd->add_flag("--refresh",
                o->refresh,
                "Ask the registry whether the image changed even when it is cached" + default_note("false"));
  cmd->callback([o, &ctx] { run_create(*o, ctx); });
}

} // namespace ocne::cli
