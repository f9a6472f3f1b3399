#pragma once

// Provider images built from the OCK boot disk on this machine, with no
// cluster (ocne builds them in a privileged pod of a running cluster):
//
//   oci      qcow2, ignition.platform.id=oci, new file system UUIDs, no
//            machine id, OCI's DHCP hooks; plus <file>.json, the
//            image_metadata.json OCI's import needs
//   oxide    raw (Oxide imports raw blocks only), ignition.platform.id=ibmcloud
//            (the id whose Ignition reads Oxide's cidata volume), new UUIDs,
//            no machine id
//   libvirt  the boot disk as it is (ignition.platform.id=qemu); customized
//            only when another platform id or kernel arguments are asked for
//
// Outputs are <images dir>/boot.qcow2-<version>-<arch>.<type> (ocne's
// names), written under a temporary name and renamed when complete, with a
// stamp of what they were built from: asking again for the same image from
// the same boot disk reuses the output without starting libguestfs.

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/image/boot_image.hpp"
#include "pkg/image/disk_edit.hpp"

#include <map>
#include <string>
#include <string_view>

namespace ocne::image {

enum class ImageType { oci, oxide, libvirt };

Result<ImageType> parse_image_type(std::string_view name);
std::string_view to_string(ImageType type);
// oci -> "oci", oxide -> "ibmcloud", libvirt -> "qemu".
std::string_view default_platform_id(ImageType type);

// <images_dir>/boot.qcow2-<version>-<arch>.<type>
fs::Path provider_image_path(const fs::Path& images_dir, std::string_view version, Arch arch, ImageType type);

struct ProviderImageOptions
{
  // Where the boot disk comes from and where the cache is.
  BootImageOptions boot;
  ImageType type = ImageType::oci;
  // Empty: the type's default.
  std::string platform_id;
  std::string kernel_args;
  // OCI: metadata for a Private Cloud Appliance.
  bool pca = false;
  // Build again even when an up-to-date output exists.
  bool force = false;
};

struct ProviderImage
{
  fs::Path path;
  DiskFormat format = DiskFormat::qcow2;
  std::uint64_t virtual_size = 0;
  // OCI: the image metadata file (<path>.json); empty otherwise.
  fs::Path metadata;
  std::string platform_id;
  std::map<std::string, std::string> uuids; // old -> new file system UUIDs
  BootImage base;
  // True when the output was already there (nothing was built).
  bool cached = false;
};

Result<ProviderImage> create_provider_image(const ProviderImageOptions& options, ProgressSink& progress);

} // namespace ocne::image
