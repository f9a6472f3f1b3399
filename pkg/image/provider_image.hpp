#pragma once

// Provider images built from the OCK boot disk on this machine, with no
// cluster (ocne builds them in a privileged pod of a running cluster). Each
// cloud gives its recipe (CloudProvider::boot_image_recipe): the disk format
// (qcow2, or raw), the Ignition platform id, the files to add, a file to
// write beside the image (OCI's image_metadata.json), and whether the boot
// disk is used as it is when nothing is asked to change (libvirt).
//
// Outputs are <images dir>/boot.qcow2-<version>-<arch>.<recipe name> (ocne's
// names), written under a temporary name and renamed when complete, with a
// stamp of what they were built from: asking again for the same image from
// the same boot disk reuses the output without starting libguestfs.

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/image/boot_image.hpp"
#include "pkg/image/disk_edit.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace ocne::image {

// How a cloud's boot image is made from the boot disk.
struct ImageRecipe
{
  // The output's suffix and the stamp's type ("oci").
  std::string name;
  DiskFormat format = DiskFormat::qcow2;
  // The Ignition platform id when none is asked for ("oci", "ibmcloud").
  std::string platform_id;
  // The boot disk itself is the image when the platform id is the default
  // and no kernel arguments are asked for.
  bool as_is_when_default = false;
  // Written into the image's root file system.
  std::vector<ExtraFile> files;
  // The content of <image>.json, written beside the image (pca: for a
  // Private Cloud Appliance); none when empty.
  std::function<std::string(Arch arch, bool pca)> sidecar;
};

// <images_dir>/boot.qcow2-<version>-<arch>.<recipe name>
fs::Path provider_image_path(const fs::Path& images_dir,
                             std::string_view version,
                             Arch arch,
                             std::string_view recipe_name);

struct ProviderImageOptions
{
  // Where the boot disk comes from and where the cache is.
  BootImageOptions boot;
  ImageRecipe recipe;
  // Empty: the recipe's default.
  std::string platform_id;
  std::string kernel_args;
  // The sidecar for a Private Cloud Appliance (OCI).
  bool pca = false;
  // Build again even when an up-to-date output exists.
  bool force = false;
};

struct ProviderImage
{
  fs::Path path;
  DiskFormat format = DiskFormat::qcow2;
  std::uint64_t virtual_size = 0;
  // The recipe's sidecar file (<path>.json); empty when it has none.
  fs::Path metadata;
  std::string platform_id;
  std::map<std::string, std::string> uuids; // old -> new file system UUIDs
  BootImage base;
  // True when the output was already there (nothing was built).
  bool cached = false;
};

Result<ProviderImage> create_provider_image(const ProviderImageOptions& options, ProgressSink& progress);

} // namespace ocne::image
