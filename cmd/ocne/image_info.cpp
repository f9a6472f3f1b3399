#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"

namespace ocne::cli {

namespace {

struct ImageInfoOptions
{
  std::string arch = "amd64";
  std::string version;
  std::string image;
  std::string file;
  std::string label;
  std::string path;
  bool recursive = false;
};

void
run_info(const ImageInfoOptions&, Context&)
{
  not_available("image info", "the boot image pipeline is not built yet");
}

} // namespace

void
add_image_info(CLI::App& image, Context& ctx)
{
  auto* cmd = image.add_subcommand("info", "Show what is inside a boot image (no cluster needed)");
  auto o = std::make_shared<ImageInfoOptions>();
  cmd->add_option("-a,--arch", o->arch, "Architecture" + default_note("amd64"))->check(CLI::IsMember({"amd64", "arm64"}));
  cmd->add_option("-v,--version", o->version, "Kubernetes version" + default_note("kubernetesVersion, 1.33"));
  cmd->add_option("-i,--image", o->image, "Container image reference" + default_note("bootVolumeContainerImage"));
  cmd->add_option("-f,--file", o->file, "Local boot disk (qcow2 or raw)" + default_note(""));
  cmd->add_option("-L,--label", o->label, "Partition label to look in" + default_note(""));
  cmd->add_option("-p,--path", o->path, "Path inside the partition to list or print" + default_note("/"));
  cmd->add_flag("-r,--recursive", o->recursive, "List folders recursively" + default_note("false"));
  cmd->callback([o, &ctx] { run_info(*o, ctx); });
}

} // namespace ocne::cli
