#include "pkg/image/boot_image.hpp"

#include "pkg/core/file_lock.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/cache_stamp.hpp"
#include "pkg/image/image_claims.hpp"
#include "pkg/image/layer_extract.hpp"
#include "pkg/image/platform_check.hpp"
#include "pkg/image/qcow2_header.hpp"

#include <algorithm>
#include <memory>

namespace ocne::image {

namespace {

constexpr auto k_lock_timeout = std::chrono::minutes(60);

BootImage
from_stamp(const fs::Path& path, const CacheStamp& stamp, bool cached)
{
  return BootImage{ path, stamp.source, stamp.manifest_digest, stamp.platform, stamp.size, cached };
}

// Temporary files a killed run left behind for this cache entry.
void
remove_leftovers(const fs::Path& path)
{
  const auto prefix = "." + path.filename().string() + ".tmp-";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(path.parent_path(), ec)) {
    if (str::starts_with(e.path().filename().string(), prefix)) {
      log::debug("removing {} left by an interrupted run", e.path().string());
      std::filesystem::remove(e.path(), ec);
    }
  }
}

} // namespace

fs::Path
boot_image_path(const fs::Path& images_dir, std::string_view version, Arch arch)
{
  return images_dir / fmt::format("boot.qcow2-{}-{}", version, to_string(arch));
}

Status
validate_version(std::string_view version)
{
  const bool ok = !version.empty() && version.size() <= 64 && version.front() != '.' && version.front() != '-' &&
                  std::all_of(version.begin(), version.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) {
    return make_error(ErrorKind::invalid_input,
                      "invalid version {}: use letters, digits, '.', '_' and '-' (for example 1.33)",
                      str::quote(version));
  }
  return {};
}

std::optional<BootImage>
cached_boot_image(const fs::Path& images_dir, std::string_view version, Arch arch)
{
  const auto path = boot_image_path(images_dir, version, arch);
  const auto stamp = read_stamp(path);
  // The file name says the architecture; the stamp says what the image is.
  if (!stamp || !stamp_matches_file(path, *stamp) || !platform_is(stamp->platform, arch)) {
    return std::nullopt;
  }
  return from_stamp(path, *stamp, true);
}

Result<BootImage>
ensure_boot_image(const BootImageOptions& options, ProgressSink& progress)
{
  OCNE_TRY(validate_version(options.version));
  OCNE_TRY(fs::ensure_dir(options.images_dir, 0755));
  const auto path = boot_image_path(options.images_dir, options.version, options.arch);
  OCNE_TRY_ASSIGN(const auto lock,
                  FileLock::acquire(options.images_dir / ".locks" / (path.filename().string() + ".lock"),
                                    k_lock_timeout,
                                    fmt::format("boot image {}", path.filename().string())));
  remove_leftovers(path);

  auto source_options = options.source_options;
  if (source_options.blob_dir.empty()) {
    source_options.blob_dir = options.images_dir / "blobs";
  }
  OCNE_TRY_ASSIGN(auto source, open_source(options.source, source_options));
  const auto stamp = read_stamp(path);
  bool have = stamp && stamp_matches_file(path, *stamp);
  if (have && !platform_is(stamp->platform, options.arch)) {
    // Written by an ocne that did not check architectures: never reused.
    log::warn("{} holds a {} image, not linux/{}; replacing it",
              path.string(),
              stamp->platform.empty() ? std::string("unknown") : stamp->platform,
              to_string(options.arch));
    have = false;
  }
  // A tag naming another Kubernetes version than the cache name is refused
  // (once the tag is known to exist: a missing tag is the better error).
  const auto check_version = [&] { return check_tag_version(source->tag(), options.version, source->name()); };
  if (have && source->remote() && !options.refresh && stamp->source == source->name()) {
    OCNE_TRY(check_version());
    log::debug("boot image {} is cached from {} ({})", path.string(), stamp->source, stamp->manifest_digest);
    return from_stamp(path, *stamp, true);
  }

  OCNE_TRY_ASSIGN(const auto image, source->resolve(options.arch));
  OCNE_TRY(check_version());
  const auto what = fmt::format("{} ({})", source->name(), image.platform);
  if (have && stamp->manifest_digest == image.manifest_digest.str()) {
    if (stamp->source != source->name()) {
      auto updated = *stamp;
      updated.source = source->name();
      OCNE_TRY(write_stamp(path, updated));
      return from_stamp(path, updated, true);
    }
    return from_stamp(path, *stamp, true);
  }

  // The top-most layer wins in an image, so look from the top down.
  for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it) {
    const auto& layer = *it;
    if (!is_tar_layer(layer.media_type)) {
      log::debug("{}: skipping layer {} of type {}", what, layer.digest.brief(), layer.media_type);
      continue;
    }
    OCNE_TRY_ASSIGN(auto out, fs::AtomicFile::create(path, fs::k_public));
    std::optional<std::uint64_t> found;
    // Started once the layer is there (after its download), so the bars
    // come in the order the work happens.
    std::unique_ptr<ProgressTask> extract;
    const auto layer_name = fmt::format("layer {} of {}", layer.digest.brief(), what);
    auto status = source->read_layer(layer, progress, [&](ByteSource& bytes) -> Status {
      extract = std::make_unique<ProgressTask>(progress, fmt::format("Extracting {} from {}", k_boot_disk_entry, what));
      OCNE_TRY_ASSIGN(found, extract_entry(bytes, layer_name, k_boot_disk_entry, out, extract.get()));
      return {};
    });
    if (!status) {
      if (extract) {
        extract->fail(status.error().message());
      }
      return tl::unexpected(status.error());
    }
    if (!found) {
      if (extract) {
        extract->succeed("not in this layer");
      }
      continue;
    }
    const auto info = check_qcow2(out.temp_path(), fmt::format("{} in {}", k_boot_disk_entry, what));
    if (!info) {
      extract->fail(info.error().message());
      return tl::unexpected(info.error());
    }
    // The old stamp goes first: a crash between the two steps leaves a disk
    // without a stamp (pulled again next time), never a wrong stamp.
    OCNE_TRY(remove_stamp(path));
    OCNE_TRY(out.commit());
    CacheStamp fresh;
    fresh.source = source->name();
    fresh.manifest_digest = image.manifest_digest.str();
    fresh.layer_digest = layer.digest.str();
    fresh.platform = image.platform;
    fresh.version = options.version;
    fresh.size = *found;
    fresh.created = now_rfc3339();
    OCNE_TRY(write_stamp(path, fresh));
    extract->succeed(fmt::format("{} MiB, virtual size {} MiB", *found >> 20, info->virtual_size >> 20));
    log::info("Boot image for {} {} is {}", options.version, to_string(options.arch), path.string());
    return from_stamp(path, fresh, false);
  }
  return make_error(
    ErrorKind::not_found, "{}: no layer contains {}; is this an OCK boot image?", what, k_boot_disk_entry);
}

} // namespace ocne::image
