#pragma once

// What is on a boot disk, read with one read-only libguestfs launch: the
// partitions and their file systems, the boot entries with their Ignition
// platform id, whether machine ids are present, and optionally a listing of
// a folder on one file system. Backs `ocne image info`.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/image/disk_edit.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ocne::image {

struct PartitionInfo
{
  std::string device; // "/dev/sda2"
  int number = 0;
  std::string name; // GPT partition name
  std::string fs_type;
  std::string label;
  std::string uuid;
  std::uint64_t size = 0;
};

struct BootEntryInfo
{
  std::string device;
  std::string file;        // "/loader/entries/ostree-1-ock.conf"
  std::string options;     // the options line, without "options "
  std::string platform_id; // ignition.platform.id, or ""
};

struct DiskInfo
{
  std::vector<PartitionInfo> partitions;
  std::vector<BootEntryInfo> boot_entries;
  std::vector<std::string> machine_ids; // "/dev/sda3:/ostree/deploy/.../etc/machine-id"
  std::vector<std::string> listing;     // paths, when InspectOptions::path is set
};

struct InspectOptions
{
  // List this folder (empty: no listing) on the file system with this label
  // (empty: the one labelled "root", else the only Linux file system).
  std::string path;
  std::string label;
  bool recursive = false;
};

Result<DiskInfo> inspect_disk(const fs::Path& disk,
                              DiskFormat format,
                              const InspectOptions& options,
                              ProgressSink& progress);

} // namespace ocne::image
