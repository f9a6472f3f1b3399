#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"

namespace ocne::cli {

namespace {

struct ImageCreateOptions
{
  std::string config_file;
  std::string kubeconfig;
  std::string type = "oci";
  std::string arch = "amd64";
  std::string ignition_provider;
  std::string kernel_args;
  std::string version;
  std::string source;
};

void
run_create(const ImageCreateOptions&, Context&)
{
  not_available("image create", "the boot image pipeline is not built yet");
}

} // namespace

void
add_image_create(CLI::App& image, Context& ctx)
{
  auto* cmd = image.add_subcommand("create", "Build a provider boot image from the OCK container image, on this machine");
  auto o = std::make_shared<ImageCreateOptions>();
  cmd->add_option("--config", o->config_file, "Cluster configuration file" + default_note(""));
  cmd->add_option("-k,--kubeconfig", o->kubeconfig, "Kubeconfig (accepted for compatibility with ocne; no cluster is needed)" + default_note(""));
  cmd->add_option("-t,--type", o->type, "Image type: oci, oxide or libvirt" + default_note("oci"))
    ->check(CLI::IsMember({"oci", "oxide", "libvirt"}));
  cmd->add_option("-a,--arch", o->arch, "Architecture: amd64 or arm64" + default_note("amd64"))
    ->check(CLI::IsMember({"amd64", "arm64"}));
  cmd->add_option("-i,--ignition-provider", o->ignition_provider, "Ignition platform id to set" + default_note("per type: oci, qemu, ..."));
  cmd->add_option("-K,--kernel-args", o->kernel_args, "Kernel arguments to append to the boot entry" + default_note(""));
  cmd->add_option("-v,--version", o->version, "Kubernetes version" + default_note("kubernetesVersion, 1.33"));
  cmd->add_option("--source", o->source, "Container image reference or local file (OCI layout, docker archive) to use instead of bootVolumeContainerImage" + default_note(""));
  cmd->callback([o, &ctx] { run_create(*o, ctx); });
}

} // namespace ocne::cli
