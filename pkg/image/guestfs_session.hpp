#pragma once

// One libguestfs appliance (a small VM that edits disk images without root)
// with the calls the image code needs, returning Results. Internal to
// pkg/image: no libguestfs type appears in this header.
//
// Each launch costs about 10 s under TCG, so callers do all their work in
// one session. A launch that fails (or hangs) while KVM is in use is retried
// once with software emulation (appliance_launch.hpp has the rules).

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct guestfs_h;

namespace ocne::image {

struct GuestDrive
{
  fs::Path path;
  std::string format; // "qcow2" or "raw"
  bool readonly = false;
};

class GuestfsSession
{
public:
  // Starts the appliance with these drives (/dev/sda, /dev/sdb, ...).
  static Result<std::unique_ptr<GuestfsSession>> launch(const std::vector<GuestDrive>& drives);
  ~GuestfsSession();
  GuestfsSession(const GuestfsSession&) = delete;
  GuestfsSession& operator=(const GuestfsSession&) = delete;

  // Unmounts everything, flushes and stops the appliance; reports a failure
  // to write back. Call it before using a changed disk.
  Status shutdown();

  Result<std::vector<std::string>> list_partitions();
  // "" when the device holds no file system (vfs_type fails).
  std::string vfs_type(const std::string& device);
  std::string vfs_label(const std::string& device);
  std::string vfs_uuid(const std::string& device);
  Result<std::int64_t> device_size(const std::string& device);
  Result<int> partition_number(const std::string& device);
  std::string partition_name(const std::string& device);

  Status mount(const std::string& device, const std::string& mountpoint, bool readonly = false);
  Status umount_all();

  bool is_dir(const std::string& path);
  bool is_file(const std::string& path);
  bool exists(const std::string& path);
  Result<std::string> read_file(const std::string& path);
  // Writes a file; mode -1 keeps the mode of an existing file (0644 for a new one).
  Status write_file(const std::string& path, const std::string& content, int mode = -1);
  Status mkdir_p(const std::string& path);
  Status remove(const std::string& path);
  // Paths matching a glob ("/ostree/deploy/*/deploy/*/etc/fstab"), sorted.
  Result<std::vector<std::string>> glob(const std::string& pattern);
  // Entries of a directory (names only).
  Result<std::vector<std::string>> list_dir(const std::string& path);
  // Every path below a directory, relative to it.
  Result<std::vector<std::string>> find(const std::string& path);

  // Gives an unmounted file system a new random UUID (xfs_admin for xfs,
  // e2fsck + tune2fs for ext2/3/4, the generic call otherwise).
  Status new_uuid(const std::string& device, const std::string& fs_type);

private:
  explicit GuestfsSession(guestfs_h* g) : m_g(g)
  {
  }
  Error error(std::string_view doing) const;

  guestfs_h* m_g;
};

} // namespace ocne::image
