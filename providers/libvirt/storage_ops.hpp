#pragma once

// The driver's storage steps: the pool (found or created as ocne does), the
// shared base volume holding the boot disk, and the per-node volumes.

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/libvirt/connection.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace ocne::providers::libvirt {

// Writes bytes into a volume; the real one streams them with
// Volume::upload, tests capture them (the test driver cannot upload).
using VolumeWriter = std::function<Status(ocne::libvirt::Volume& volume,
                                          ocne::libvirt::ByteSource& source,
                                          ProgressSink& progress,
                                          std::string_view label)>;
VolumeWriter stream_writer();

// /var/lib/libvirt/images, or ~/.local/share/libvirt/images for a local
// session daemon run by a user other than root.
std::string default_pool_path(const ocne::libvirt::Uri& uri, const fs::Path& home);

struct PoolChoice
{
  std::string name;
  std::string path;
  bool created = false;
};

// The pool named `name` (started if needed), else an active pool at the
// default path, else a new dir pool `name` there.
Result<PoolChoice> ensure_pool(const ocne::libvirt::Connection& connection,
                               const std::string& name,
                               const std::string& default_path);

struct BaseVolume
{
  std::string name;
  std::string path;
  std::uint64_t capacity = 0; // the boot disk's virtual size
  bool uploaded = false;      // this run created it
};

// The base volume `name` in the pool; when missing, it is created from the
// boot disk the resolver finds (checked to be a readable qcow2 first) and
// removed again when the upload fails.
Result<BaseVolume> ensure_base_volume(ocne::libvirt::Pool& pool,
                                      const std::string& name,
                                      const std::function<Result<fs::Path>()>& boot_image,
                                      const VolumeWriter& writer,
                                      ProgressSink& progress);

// A qcow2 overlay on the base volume with the node's capacity.
Result<ocne::libvirt::Volume> create_overlay(ocne::libvirt::Pool& pool,
                                             const std::string& name,
                                             const BaseVolume& base,
                                             std::uint64_t capacity);

// A raw volume holding content (the Ignition config), mode 0600.
Result<ocne::libvirt::Volume> create_content_volume(ocne::libvirt::Pool& pool,
                                                    const std::string& name,
                                                    std::string_view content,
                                                    std::string_view what,
                                                    const VolumeWriter& writer,
                                                    ProgressSink& progress);

} // namespace ocne::providers::libvirt
