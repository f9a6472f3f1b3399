#pragma once

// Turns an OCK boot disk into a provider's disk, offline and without root,
// in one libguestfs appliance launch:
//  - sets ignition.platform.id (and extra kernel arguments) in the Boot
//    Loader Specification entries (loader/entries/*.conf);
//  - gives every Linux file system (xfs, ext2/3/4, btrfs) a new UUID and
//    fixes the references to the old ones in the boot entries, the fstab of
//    each system root (ostree deployments included) and the grub files on
//    the boot and EFI file systems; the EFI vfat volume id is left alone;
//  - removes /etc/machine-id, so each machine makes its own at first boot;
//  - adds files a provider needs (OCI's DHCP hooks) under each system root.
// The disk is changed in place: callers work on a copy.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"

#include <map>
#include <string>
#include <vector>

namespace ocne::image {

enum class DiskFormat { qcow2, raw };
std::string_view to_string(DiskFormat format);

struct ExtraFile
{
  // Relative to a system root, e.g. "etc/oci-dhclient.sh".
  std::string path;
  std::string content;
  int mode = 0644;
};

struct DiskCustomization
{
  // Empty leaves the platform id as it is.
  std::string platform_id;
  // Appended to the options of every boot entry.
  std::string kernel_args;
  bool new_uuids = true;
  bool remove_machine_id = true;
  std::vector<ExtraFile> files;
};

struct DiskEditReport
{
  std::vector<std::string> boot_entries;    // "/dev/sda2:/loader/entries/ostree-1-ock.conf"
  std::map<std::string, std::string> uuids; // old -> new
  std::vector<std::string> changed_files;   // every file rewritten
  std::vector<std::string> removed_files;
  std::vector<std::string> added_files;
};

// Edits disk in place. Fails (before changing anything) when the disk has no
// boot entries. progress gets one task (without a total) for the edit.
Result<DiskEditReport> customize_disk(const fs::Path& disk,
                                      DiskFormat format,
                                      const DiskCustomization& customization,
                                      ProgressSink& progress);

} // namespace ocne::image
