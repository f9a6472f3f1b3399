#pragma once

// The OCK boot disk of one Kubernetes version and architecture, pulled from
// its container image (the file disk/boot.qcow2 in a layer) and cached as
// <images dir>/boot.qcow2-<version>-<arch>, keyed by the image's manifest
// digest. This is what the libvirt provider uses as its base volume and what
// provider images (provider_image.hpp) are built from.
//
// A second call for the same source does no network work: the cached disk
// is used as it is (refresh asks the registry whether the tag moved). A
// different source for the same version is resolved, and the disk is pulled
// again only when its manifest digest differs. Nothing half-written is ever
// left under the cache name: the disk is extracted to a temporary name,
// checked, and renamed.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/image/arch.hpp"
#include "pkg/image/digest.hpp"
#include "pkg/image/image_source.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace ocne::image {

struct BootImageOptions
{
  // An image reference or a file (see image_source.hpp), e.g.
  // "docker://container-registry.oracle.com/olcne/ock:1.33".
  std::string source;
  // The Kubernetes version; it names the cache file ("1.33").
  std::string version;
  Arch arch = Arch::amd64;
  // <state dir>/images.
  fs::Path images_dir;
  // Registry settings, cwd and home for file paths. blob_dir defaults to
  // <images_dir>/blobs.
  SourceOptions source_options;
  // Ask the registry even when the cache holds this source already.
  bool refresh = false;
};

struct BootImage
{
  fs::Path path;
  std::string source;
  std::string manifest_digest;
  std::string platform;
  std::uint64_t size = 0;
  // True when nothing was pulled or extracted.
  bool cached = false;
};

// <images_dir>/boot.qcow2-<version>-<arch>
fs::Path boot_image_path(const fs::Path& images_dir, std::string_view version, Arch arch);

// Checks that a version can name a cache file (letters, digits, '.', '_', '-').
Status validate_version(std::string_view version);

// Pulls (or finds in the cache) the boot disk.
Result<BootImage> ensure_boot_image(const BootImageOptions& options, ProgressSink& progress);

// The cached boot disk of a version and architecture, without any network
// or file work beyond reading its stamp; nullopt when there is none.
std::optional<BootImage> cached_boot_image(const fs::Path& images_dir, std::string_view version, Arch arch);

} // namespace ocne::image
