#include "pkg/image/provider_image.hpp"

#include "pkg/core/file_lock.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/boot_config.hpp"
#include "pkg/image/cache_stamp.hpp"
#include "pkg/image/disk_copy.hpp"
#include "pkg/image/platform_check.hpp"
#include "pkg/image/qcow2_header.hpp"

namespace ocne::image {

namespace {

// Bump when the conversion steps change, so older outputs are rebuilt.
constexpr int k_recipe = 1;

fs::Path
metadata_path(const fs::Path& image)
{
  return image.string() + ".json";
}

} // namespace

fs::Path
provider_image_path(const fs::Path& images_dir, std::string_view version, Arch arch, std::string_view recipe_name)
{
  return images_dir / fmt::format("boot.qcow2-{}-{}.{}", version, to_string(arch), recipe_name);
}

Result<ProviderImage>
create_provider_image(const ProviderImageOptions& o, ProgressSink& progress)
{
  const auto& recipe = o.recipe;
  if (recipe.name.empty()) {
    return make_error(ErrorKind::internal, "no image recipe: the cloud names none");
  }
  const std::string platform_id = o.platform_id.empty() ? recipe.platform_id : o.platform_id;
  OCNE_TRY(validate_platform_id(platform_id));
  const std::string kernel_args(str::trim(o.kernel_args));
  OCNE_TRY(validate_kernel_args(kernel_args));
  OCNE_TRY(validate_version(o.boot.version));

  OCNE_TRY_ASSIGN(auto base, ensure_boot_image(o.boot, progress));
  // ensure_boot_image checked it; the output's name and the upload rely on it.
  if (!platform_is(base.platform, o.boot.arch)) {
    return make_error(
      ErrorKind::internal, "{} is a {} image, not linux/{}", base.path.string(), base.platform, to_string(o.boot.arch));
  }
  OCNE_TRY_ASSIGN(const auto base_info, check_qcow2(base.path));

  ProviderImage out;
  out.base = base;
  out.platform_id = platform_id;
  out.virtual_size = base_info.virtual_size;
  // Some clouds (libvirt) boot the boot disk as it is.
  if (recipe.as_is_when_default && platform_id == recipe.platform_id && kernel_args.empty()) {
    out.path = base.path;
    out.cached = base.cached;
    return out;
  }

  const auto path = provider_image_path(o.boot.images_dir, o.boot.version, o.boot.arch, recipe.name);
  out.path = path;
  out.format = recipe.format;
  out.metadata = recipe.sidecar ? metadata_path(path) : fs::Path();
  OCNE_TRY_ASSIGN(const auto lock,
                  FileLock::acquire(o.boot.images_dir / ".locks" / (path.filename().string() + ".lock"),
                                    std::chrono::minutes(60),
                                    fmt::format("image {}", path.filename().string())));
  const auto metadata = recipe.sidecar ? recipe.sidecar(o.boot.arch, o.pca) : std::string();

  if (const auto stamp = read_stamp(path);
      stamp && !o.force && stamp_matches_file(path, *stamp) && stamp->manifest_digest == base.manifest_digest &&
      platform_is(stamp->platform, o.boot.arch) && stamp->type == recipe.name && stamp->platform_id == platform_id &&
      stamp->kernel_args == kernel_args && stamp->recipe == k_recipe) {
    const auto current = out.metadata.empty() ? Result<std::string>(std::string()) : fs::read_file(out.metadata);
    if (current && *current == metadata) {
      log::debug("{} is up to date", path.string());
      out.uuids = stamp->uuids;
      out.cached = true;
      return out;
    }
  }

  // Build under a temporary name; the old output and its stamp stay valid
  // until the new one replaces them.
  OCNE_TRY_ASSIGN(auto file, fs::AtomicFile::create(path, fs::k_public));
  {
    ProgressTask copy(progress,
                      out.format == DiskFormat::raw ? fmt::format("Converting {} to raw", base.path.filename().string())
                                                    : fmt::format("Copying {}", base.path.filename().string()));
    auto copied = out.format == DiskFormat::raw ? convert_to_raw(base.path, base_info.virtual_size, file, copy)
                                                : copy_file_into(base.path, file, copy);
    if (!copied) {
      copy.fail(copied.error().message());
      return tl::unexpected(copied.error());
    }
    copy.succeed();
  }

  DiskCustomization c;
  c.platform_id = platform_id;
  c.kernel_args = kernel_args;
  c.files = recipe.files;
  OCNE_TRY_ASSIGN(const auto report, customize_disk(file.temp_path(), out.format, c, progress));
  out.uuids = report.uuids;
  if (out.format == DiskFormat::qcow2) {
    OCNE_TRY(check_qcow2(file.temp_path(), path.string()));
  }

  OCNE_TRY(remove_stamp(path));
  OCNE_TRY(file.commit());
  if (!out.metadata.empty()) {
    OCNE_TRY(fs::write_file_atomic(out.metadata, metadata, fs::k_public));
  }
  CacheStamp stamp;
  stamp.source = base.source;
  stamp.manifest_digest = base.manifest_digest;
  stamp.platform = base.platform;
  stamp.version = o.boot.version;
  std::error_code ec;
  stamp.size = std::filesystem::file_size(path, ec);
  stamp.created = now_rfc3339();
  stamp.type = recipe.name;
  stamp.platform_id = platform_id;
  stamp.kernel_args = kernel_args;
  stamp.recipe = k_recipe;
  stamp.uuids = report.uuids;
  OCNE_TRY(write_stamp(path, stamp));
  log::info("New boot image was created successfully at {}", path.string());
  return out;
}

} // namespace ocne::image
