#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/image_common.hpp"
#include "cmd/ocne/output.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/cache_stamp.hpp"
#include "pkg/image/disk_info.hpp"
#include "pkg/image/provider_image.hpp"
#include "pkg/image/qcow2_header.hpp"
#include "providers/registry/registry.hpp"

#include <sys/stat.h>

#include <optional>

namespace ocne::cli {

namespace {

struct ImageInfoOptions
{
  std::string config_file;
  std::string arch = "amd64";
  std::string type;
  std::string image;
  std::string file;
  std::string label;
  std::string path;
  bool recursive = false;
  ConfigFlags flags;
};

std::uint64_t
allocated_bytes(const fs::Path& path)
{
  struct stat st
  {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_blocks) * 512 : 0;
}

std::string
column(std::string s, std::size_t width)
{
  if (s.size() < width) {
    s.resize(width, ' ');
  }
  return s + " ";
}

void
run_info(const ImageInfoOptions& o, Context& ctx)
{
  // Which file: --file, else a cached image (pulled first when needed).
  fs::Path path;
  if (!o.file.empty()) {
    path = fs::resolve_path(o.file, ctx.env.cwd(), ctx.env.home());
    struct stat st
    {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      throw Fatal(Error(ErrorKind::not_found, fmt::format("--file {}: no such file", path.string())));
    }
  } else {
    const auto loaded = load_config(ctx, o.config_file, o.flags, providers::default_for(providers::Command::image));
    auto boot = boot_image_options(ctx, loaded, o.image, o.arch);
    std::optional<image::ImageRecipe> recipe;
    if (!o.type.empty()) {
      recipe = value_or_throw(providers::get(o.type))->boot_image_recipe();
    }
    if (!recipe || recipe->as_is_when_default) {
      path = value_or_throw(image::ensure_boot_image(boot, ctx.progress_sink())).path;
    } else {
      path = image::provider_image_path(boot.images_dir, boot.version, boot.arch, recipe->name);
      if (!std::filesystem::exists(path)) {
        throw Fatal(Error(ErrorKind::not_found,
                          fmt::format("no {} image for {} {} in {}: create it with ocne image create --type {} "
                                      "--version {} --arch {}",
                                      o.type,
                                      boot.version,
                                      o.arch,
                                      boot.images_dir.string(),
                                      o.type,
                                      boot.version,
                                      o.arch)));
      }
    }
  }

  const bool qcow2 = value_or_throw(image::is_qcow2(path));
  std::uint64_t virtual_size = 0;
  if (qcow2) {
    virtual_size = value_or_throw(image::check_qcow2(path)).virtual_size;
  } else {
    std::error_code ec;
    virtual_size = std::filesystem::file_size(path, ec);
  }
  image::InspectOptions inspect{ o.path, o.label, o.recursive };
  const auto info = value_or_throw(
    image::inspect_disk(path, qcow2 ? image::DiskFormat::qcow2 : image::DiskFormat::raw, inspect, ctx.progress_sink()));

  std::string out;
  out += fmt::format("Image:        {}\n", path.string());
  out += fmt::format("Format:       {}, virtual size {}, {} on disk\n",
                     qcow2 ? "qcow2" : "raw",
                     human_bytes(virtual_size),
                     human_bytes(allocated_bytes(path)));
  if (const auto stamp = image::read_stamp(path)) {
    out += fmt::format("Source:       {} ({})\n", stamp->source, stamp->platform);
    out += fmt::format("Digest:       {}\n", stamp->manifest_digest);
    if (!stamp->type.empty()) {
      out += fmt::format("Built:        {} image, platform id {}{}, {}\n",
                         stamp->type,
                         stamp->platform_id,
                         stamp->kernel_args.empty() ? "" : ", kernel arguments " + stamp->kernel_args,
                         stamp->created);
    }
  }
  out += "\nPartitions:\n  " + column("NUMBER", 6) + column("NAME", 12) + column("TYPE", 6) + column("LABEL", 12) +
         column("UUID", 36) + "SIZE\n";
  for (const auto& p : info.partitions) {
    out += "  " + column(std::to_string(p.number), 6) + column(p.name, 12) + column(p.fs_type, 6) +
           column(p.label, 12) + column(p.uuid, 36) + human_bytes(p.size) + "\n";
  }
  out += "\nBoot entries:\n";
  for (const auto& e : info.boot_entries) {
    out += fmt::format("  {}:{}\n    platform id: {}\n    options: {}\n",
                       e.device,
                       e.file,
                       e.platform_id.empty() ? "(none)" : e.platform_id,
                       e.options);
  }
  out += fmt::format("\nMachine ids: {}\n",
                     info.machine_ids.empty() ? std::string("none") : str::join(info.machine_ids, ", "));
  if (!o.path.empty()) {
    out += fmt::format("\nFiles under {} on {}:\n", o.path, o.label.empty() ? "root" : o.label);
    for (const auto& f : info.listing) {
      out += "  " + f + "\n";
    }
  }
  print(out);
}

} // namespace

void
add_image_info(CLI::App& image, Context& ctx)
{
  auto* cmd = image.add_subcommand("info", "Show what is inside a boot image (no cluster needed)");
  auto o = std::make_shared<ImageInfoOptions>();
  cmd->add_option("--config", o->config_file, "Cluster configuration file" + default_note(""));
  cmd->add_option("-a,--arch", o->arch, "Architecture" + default_note("amd64"))
    ->check(CLI::IsMember({ "amd64", "arm64" }));
  o->flags.add(*cmd, "-v,--version", "kubernetesVersion", "Kubernetes version");
  cmd->add_option("-t,--type", o->type, "A created image (oci, oxide) instead of the boot disk" + default_note(""))
    ->check(CLI::IsMember(providers::names_by_help_rank()));
  cmd->add_option("-i,--image",
                  o->image,
                  "Container image reference or file to pull the boot disk from" +
                    default_note("bootVolumeContainerImage"));
  cmd->add_option("-f,--file", o->file, "Local boot disk (qcow2 or raw)" + default_note(""));
  cmd->add_option("-L,--label", o->label, "Label of the file system to list" + default_note("root"));
  cmd->add_option("-p,--path", o->path, "Folder (or file) on that file system to list" + default_note("none"));
  cmd->add_flag("-r,--recursive", o->recursive, "List folders recursively" + default_note("false"));
  cmd->callback([o, &ctx] { run_info(*o, ctx); });
}

} // namespace ocne::cli
