#pragma once

// Storage pools and volumes.

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/libvirt/handles.hpp"
#include "pkg/libvirt/source.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocne::libvirt {

struct VolumeInfo
{
  std::uint64_t capacity = 0;   // bytes the guest sees
  std::uint64_t allocation = 0; // bytes used on the host
};

class Volume
{
public:
  explicit Volume(detail::Owned<_virStorageVol> handle);

  const std::string&
  name() const
  {
    return m_name;
  }
  // The path on the libvirt host.
  Result<std::string> path() const;
  Result<std::string> xml() const;
  Result<VolumeInfo> info() const;
  // Deletes the volume and its data.
  Status remove();
  // Replaces the volume's contents with source through a libvirt stream,
  // reporting progress as label. Ctrl-C (ocne::interrupted()) and source
  // errors abort the stream; the daemon then discards what was sent, and the
  // volume should be deleted by the caller.
  Status upload(ByteSource& source, ProgressSink& progress, std::string_view label);
  // The whole contents (for small volumes: Ignition configs, tests).
  Result<std::string> download(std::uint64_t max_size = 64ULL << 20);

private:
  detail::Owned<_virStorageVol> m_handle;
  std::string m_name;
};

struct PoolInfo
{
  bool active = false;
  std::uint64_t capacity = 0;
  std::uint64_t allocation = 0;
  std::uint64_t available = 0;
};

class Pool
{
public:
  explicit Pool(detail::Owned<_virStoragePool> handle);

  const std::string&
  name() const
  {
    return m_name;
  }
  Result<bool> is_active() const;
  Result<PoolInfo> info() const;
  Result<std::string> xml() const;
  // <target><path> of a dir pool.
  Result<std::string> target_path() const;
  // Creates the pool's directory (dir pools).
  Status build();
  // Starts (activates) the pool.
  Status start();
  Status set_autostart(bool autostart);
  // Rescans the pool for volumes made outside libvirt.
  Status refresh();
  Status stop();
  Status undefine();
  // Removes the pool's directory (it must be empty).
  Status delete_storage();

  Result<std::optional<Volume>> find_volume(std::string_view name) const;
  Result<std::vector<std::string>> volume_names() const;
  Result<Volume> create_volume(std::string_view xml);

private:
  detail::Owned<_virStoragePool> m_handle;
  std::string m_name;
};

} // namespace ocne::libvirt
