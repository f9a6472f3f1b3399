#include "pkg/image/guestfs_session.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"

#include <guestfs.h>

#include <algorithm>
#include <cstdlib>

namespace ocne::image {

namespace {

// Frees the NULL-terminated string lists libguestfs returns.
std::vector<std::string>
take_list(char** list)
{
  std::vector<std::string> out;
  if (list == nullptr) {
    return out;
  }
  for (char** p = list; *p != nullptr; ++p) {
    out.emplace_back(*p);
    std::free(*p);
  }
  std::free(list);
  return out;
}

std::string
take_string(char* s)
{
  if (s == nullptr) {
    return {};
  }
  std::string out(s);
  std::free(s);
  return out;
}

guestfs_h*
create_handle(const std::vector<GuestDrive>& drives, bool force_tcg, std::string& failure)
{
  guestfs_h* g = guestfs_create();
  if (g == nullptr) {
    failure = "cannot create a libguestfs handle";
    return nullptr;
  }
  // Errors are read with guestfs_last_error, never printed by libguestfs.
  guestfs_set_error_handler(g, nullptr, nullptr);
  if (force_tcg) {
    char tcg[] = "force_tcg";
    char* const settings[] = {tcg, nullptr};
    guestfs_set_backend_settings(g, settings);
  }
  for (const auto& d : drives) {
    if (guestfs_add_drive_opts(g,
                               d.path.c_str(),
                               GUESTFS_ADD_DRIVE_OPTS_FORMAT,
                               d.format.c_str(),
                               GUESTFS_ADD_DRIVE_OPTS_READONLY,
                               d.readonly ? 1 : 0,
                               -1) != 0) {
      const char* e = guestfs_last_error(g);
      failure = fmt::format("{}: {}", d.path.string(), e != nullptr ? e : "cannot add the disk");
      guestfs_close(g);
      return nullptr;
    }
  }
  if (guestfs_launch(g) != 0) {
    const char* e = guestfs_last_error(g);
    failure = e != nullptr ? e : "unknown error";
    guestfs_close(g);
    return nullptr;
  }
  return g;
}

bool
tcg_forced_by_environment()
{
  const char* settings = std::getenv("LIBGUESTFS_BACKEND_SETTINGS");
  return settings != nullptr && std::string_view(settings).find("force_tcg") != std::string_view::npos;
}

} // namespace

Result<std::unique_ptr<GuestfsSession>>
GuestfsSession::launch(const std::vector<GuestDrive>& drives)
{
  std::string failure;
  guestfs_h* g = create_handle(drives, false, failure);
  if (g == nullptr && !tcg_forced_by_environment() && failure.find("qemu") != std::string::npos) {
    // A broken /dev/kvm makes QEMU abort; software emulation is slower but works.
    log::warn("libguestfs could not start its appliance ({}); retrying with software emulation (TCG). Set "
              "LIBGUESTFS_BACKEND_SETTINGS=force_tcg to skip the first attempt",
              str::trim(failure));
    failure.clear();
    g = create_handle(drives, true, failure);
  }
  if (g == nullptr) {
    return make_error(ErrorKind::unavailable,
                      "cannot start the libguestfs appliance: {} (run libguestfs-test-tool to see why)",
                      str::trim(failure));
  }
  return std::unique_ptr<GuestfsSession>(new GuestfsSession(g));
}

GuestfsSession::~GuestfsSession()
{
  if (m_g != nullptr) {
    guestfs_close(m_g);
  }
}

Error
GuestfsSession::error(std::string_view doing) const
{
  const char* e = guestfs_last_error(m_g);
  std::string detail = e != nullptr && *e != '\0' ? std::string(str::trim(e)) : "failed";
  return Error(ErrorKind::io, fmt::format("{}: {}", doing, detail));
}

Status
GuestfsSession::shutdown()
{
  if (guestfs_umount_all(m_g) != 0) {
    return tl::unexpected(error("unmounting the file systems"));
  }
  if (guestfs_shutdown(m_g) != 0) {
    return tl::unexpected(error("writing the changes back"));
  }
  guestfs_close(m_g);
  m_g = nullptr;
  return {};
}

Result<std::vector<std::string>>
GuestfsSession::list_partitions()
{
  char** list = guestfs_list_partitions(m_g);
  if (list == nullptr) {
    return tl::unexpected(error("listing partitions"));
  }
  return take_list(list);
}

std::string
GuestfsSession::vfs_type(const std::string& device)
{
  return take_string(guestfs_vfs_type(m_g, device.c_str()));
}

std::string
GuestfsSession::vfs_label(const std::string& device)
{
  return take_string(guestfs_vfs_label(m_g, device.c_str()));
}

std::string
GuestfsSession::vfs_uuid(const std::string& device)
{
  return take_string(guestfs_vfs_uuid(m_g, device.c_str()));
}

Result<std::int64_t>
GuestfsSession::device_size(const std::string& device)
{
  const auto n = guestfs_blockdev_getsize64(m_g, device.c_str());
  if (n < 0) {
    return tl::unexpected(error("reading the size of " + device));
  }
  return n;
}

Result<int>
GuestfsSession::partition_number(const std::string& device)
{
  const int n = guestfs_part_to_partnum(m_g, device.c_str());
  if (n < 0) {
    return tl::unexpected(error("reading the partition number of " + device));
  }
  return n;
}

std::string
GuestfsSession::partition_name(const std::string& device)
{
  const auto disk = take_string(guestfs_part_to_dev(m_g, device.c_str()));
  const int n = guestfs_part_to_partnum(m_g, device.c_str());
  if (disk.empty() || n < 0) {
    return {};
  }
  return take_string(guestfs_part_get_name(m_g, disk.c_str(), n));
}

Status
GuestfsSession::mount(const std::string& device, const std::string& mountpoint, bool readonly)
{
  const int rc = readonly ? guestfs_mount_ro(m_g, device.c_str(), mountpoint.c_str())
                          : guestfs_mount(m_g, device.c_str(), mountpoint.c_str());
  if (rc != 0) {
    return tl::unexpected(error(fmt::format("mounting {}", device)));
  }
  return {};
}

Status
GuestfsSession::umount_all()
{
  if (guestfs_umount_all(m_g) != 0) {
    return tl::unexpected(error("unmounting the file systems"));
  }
  return {};
}

bool
GuestfsSession::is_dir(const std::string& path)
{
  return guestfs_is_dir_opts(m_g, path.c_str(), GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS, 1, -1) == 1;
}

bool
GuestfsSession::is_file(const std::string& path)
{
  return guestfs_is_file_opts(m_g, path.c_str(), GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1) == 1;
}

bool
GuestfsSession::exists(const std::string& path)
{
  return guestfs_exists(m_g, path.c_str()) == 1;
}

Result<std::string>
GuestfsSession::read_file(const std::string& path)
{
  std::size_t size = 0;
  char* data = guestfs_read_file(m_g, path.c_str(), &size);
  if (data == nullptr) {
    return tl::unexpected(error("reading " + path));
  }
  std::string out(data, size);
  std::free(data);
  return out;
}

Status
GuestfsSession::write_file(const std::string& path, const std::string& content, int mode)
{
  if (guestfs_write(m_g, path.c_str(), content.data(), content.size()) != 0) {
    return tl::unexpected(error("writing " + path));
  }
  if (mode >= 0 && guestfs_chmod(m_g, mode, path.c_str()) != 0) {
    return tl::unexpected(error("setting the mode of " + path));
  }
  return {};
}

Status
GuestfsSession::mkdir_p(const std::string& path)
{
  if (guestfs_mkdir_p(m_g, path.c_str()) != 0) {
    return tl::unexpected(error("creating " + path));
  }
  return {};
}

Status
GuestfsSession::remove(const std::string& path)
{
  if (guestfs_rm_f(m_g, path.c_str()) != 0) {
    return tl::unexpected(error("removing " + path));
  }
  return {};
}

Result<std::vector<std::string>>
GuestfsSession::glob(const std::string& pattern)
{
  char** list = guestfs_glob_expand(m_g, pattern.c_str());
  if (list == nullptr) {
    return tl::unexpected(error("expanding " + pattern));
  }
  auto out = take_list(list);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>>
GuestfsSession::list_dir(const std::string& path)
{
  char** list = guestfs_ls(m_g, path.c_str());
  if (list == nullptr) {
    return tl::unexpected(error("listing " + path));
  }
  return take_list(list);
}

Result<std::vector<std::string>>
GuestfsSession::find(const std::string& path)
{
  char** list = guestfs_find(m_g, path.c_str());
  if (list == nullptr) {
    return tl::unexpected(error("listing " + path));
  }
  return take_list(list);
}

Status
GuestfsSession::new_uuid(const std::string& device, const std::string& fs_type)
{
  int rc = 0;
  if (fs_type == "xfs") {
    struct guestfs_xfs_admin_argv args{};
    args.bitmask = GUESTFS_XFS_ADMIN_UUID_BITMASK;
    args.uuid = "generate";
    rc = guestfs_xfs_admin_argv(m_g, device.c_str(), &args);
  } else {
    if (str::starts_with(fs_type, "ext")) {
      // tune2fs refuses a new UUID until the file system was checked (and
      // says so on stdout, so the libguestfs error would be empty).
      if (guestfs_e2fsck(m_g, device.c_str(), GUESTFS_E2FSCK_FORCEALL, 1, -1) != 0) {
        return tl::unexpected(error("checking " + device));
      }
    }
    rc = guestfs_set_uuid_random(m_g, device.c_str());
  }
  if (rc != 0) {
    return tl::unexpected(error(fmt::format("giving {} ({}) a new UUID", device, fs_type)));
  }
  return {};
}

} // namespace ocne::image
