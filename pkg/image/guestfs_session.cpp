#include "pkg/image/guestfs_session.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/appliance_launch.hpp"

#include <guestfs.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

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

// A KVM launch that has not come up by then is stopped and tried again with
// TCG: on some hosts with a broken /dev/kvm the appliance hangs in the
// firmware instead of QEMU aborting. A healthy KVM launch takes seconds.
constexpr std::chrono::seconds k_kvm_launch_limit{ 180 };

std::chrono::seconds
kvm_launch_limit()
{
  // OCNE_GUESTFS_KVM_TIMEOUT (seconds) overrides it, for hosts and tests.
  const char* text = std::getenv("OCNE_GUESTFS_KVM_TIMEOUT");
  if (text == nullptr || *text == '\0') {
    return k_kvm_launch_limit;
  }
  long n = 0;
  const auto [end, ec] = std::from_chars(text, text + std::strlen(text), n);
  if (ec != std::errc() || *end != '\0' || n < 1 || n > 24 * 3600) {
    log::warn("ignoring OCNE_GUESTFS_KVM_TIMEOUT={}: give a number of seconds", text);
    return k_kvm_launch_limit;
  }
  return std::chrono::seconds(n);
}

// libguestfs's own test for KVM (launch-direct.c): /dev/kvm opens read-write.
bool
kvm_openable()
{
  const int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  ::close(fd);
  return true;
}

// Whether this handle's backend settings (LIBGUESTFS_BACKEND_SETTINGS, or
// ours) force TCG.
bool
tcg_forced(guestfs_h* g)
{
  guestfs_push_error_handler(g, nullptr, nullptr);
  char* value = guestfs_get_backend_setting(g, "force_tcg");
  guestfs_pop_error_handler(g);
  return value != nullptr && setting_is_true(take_string(value));
}

// Whether the process in proc_dir (/proc/<pid>) is a child of parent whose
// command line holds marker.
bool
child_with_marker(const std::filesystem::path& proc_dir, pid_t parent, std::string_view marker)
{
  const auto stat = fs::read_file(proc_dir / "stat", 1 << 16);
  if (!stat) {
    return false;
  }
  // "pid (comm) state ppid ...": comm may hold spaces, so parse after ')'.
  const auto close = stat->rfind(')');
  if (close == std::string::npos) {
    return false;
  }
  const auto fields = str::split_trimmed(std::string_view(*stat).substr(close + 1), ' ');
  if (fields.size() < 2 || fields[1] != std::to_string(parent)) {
    return false;
  }
  const auto cmdline = fs::read_file(proc_dir / "cmdline", 1 << 20);
  return cmdline && cmdline->find(marker) != std::string::npos;
}

// Kills the QEMU this process started whose command line holds marker.
// Returns whether there was one.
bool
kill_appliance(std::string_view marker)
{
  const pid_t self = ::getpid();
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    if (child_with_marker(e.path(), self, marker)) {
      log::debug("stopping the libguestfs appliance (QEMU pid {})", name);
      ::kill(static_cast<pid_t>(std::stol(name)), SIGKILL);
      return true;
    }
  }
  return false;
}

// Stops a KVM launch that does not come up in time: libguestfs's own limit
// is 20 minutes, and its API cannot be used from another thread while
// guestfs_launch runs, so the watchdog finds our QEMU by a name given to it.
class LaunchWatchdog
{
public:
  LaunchWatchdog(std::string marker, std::chrono::seconds limit)
    : m_marker(std::move(marker)), m_thread([this, limit] { watch(limit); })
  {
  }
  ~LaunchWatchdog()
  {
    {
      std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_cv.notify_all();
    m_thread.join();
  }
  LaunchWatchdog(const LaunchWatchdog&) = delete;
  LaunchWatchdog& operator=(const LaunchWatchdog&) = delete;

  bool
  fired()
  {
    std::lock_guard lock(m_mutex);
    return m_fired;
  }

private:
  void
  watch(std::chrono::seconds limit)
  {
    std::unique_lock lock(m_mutex);
    if (m_cv.wait_for(lock, limit, [this] { return m_done; })) {
      return;
    }
    // QEMU may not run yet (supermin still building the appliance): look
    // again each second until the launch ends one way or the other.
    while (!m_done) {
      if (kill_appliance(m_marker)) {
        m_fired = true;
        return;
      }
      m_cv.wait_for(lock, std::chrono::seconds(1), [this] { return m_done; });
    }
  }

  std::string m_marker;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_done = false;
  bool m_fired = false;
  std::thread m_thread; // last: it uses the members above
};

struct Capture
{
  std::vector<std::string> errors;
  std::string console;
};

void
on_error(guestfs_h*, void* opaque, const char* msg)
{
  if (msg != nullptr) {
    static_cast<Capture*>(opaque)->errors.emplace_back(msg);
  }
}

void
on_console(guestfs_h*, void* opaque, uint64_t, int, int, const char* buf, size_t len, const uint64_t*, size_t)
{
  auto& console = static_cast<Capture*>(opaque)->console;
  console.append(buf, len);
  // QEMU's complaint comes last; the kernel's boot log before it is not needed.
  constexpr std::size_t k_keep = 64 << 10;
  if (console.size() > 2 * k_keep) {
    console.erase(0, console.size() - k_keep);
  }
}

// One launch attempt. Returns the handle when the appliance is up; fills
// attempt with what happened either way. A drive that cannot be added is
// an error of its own (not a launch failure: no retry helps).
Result<guestfs_h*>
try_launch(const std::vector<GuestDrive>& drives, bool force_tcg, LaunchAttempt& attempt)
{
  guestfs_h* g = guestfs_create();
  if (g == nullptr) {
    return make_error(ErrorKind::unavailable, "cannot create a libguestfs handle");
  }
  Capture capture;
  // Errors are collected (the last one alone is usually the generic one),
  // never printed by libguestfs.
  guestfs_set_error_handler(g, on_error, &capture);
  if (force_tcg) {
    guestfs_set_backend_setting(g, "force_tcg", "1");
  }
  attempt.accel = launch_accel(tcg_forced(g), kvm_openable());
  for (const auto& d : drives) {
    if (guestfs_add_drive_opts(g,
                               d.path.c_str(),
                               GUESTFS_ADD_DRIVE_OPTS_FORMAT,
                               d.format.c_str(),
                               GUESTFS_ADD_DRIVE_OPTS_READONLY,
                               d.readonly ? 1 : 0,
                               -1) != 0) {
      const char* e = guestfs_last_error(g);
      auto error =
        Error(ErrorKind::io, fmt::format("{}: {}", d.path.string(), e != nullptr ? e : "cannot add the disk"));
      guestfs_close(g);
      return tl::unexpected(std::move(error));
    }
  }
  // With LIBGUESTFS_DEBUG=1 libguestfs prints the console itself, unless
  // someone listens.
  const int console_handle =
    guestfs_get_verbose(g) == 0 ? guestfs_set_event_callback(g, on_console, GUESTFS_EVENT_APPLIANCE, 0, &capture) : -1;
  int rc = 0;
  {
    std::optional<LaunchWatchdog> watchdog;
    // Only the direct backend runs QEMU as our child (libvirt's does not, and
    // names the guest itself).
    if (attempt.accel == Accel::kvm && str::starts_with(take_string(guestfs_get_backend(g)), "direct")) {
      // A name on QEMU's command line tells this appliance from others this
      // process runs (cluster start builds images in parallel).
      static std::atomic<int> s_launches{ 0 };
      const auto name = fmt::format("ocne-appliance-{}-{}", ::getpid(), ++s_launches);
      if (guestfs_config(g, "-name", name.c_str()) == 0) {
        watchdog.emplace(name, kvm_launch_limit());
      }
    }
    rc = guestfs_launch(g);
    if (watchdog && watchdog->fired()) {
      attempt.stopped_after = kvm_launch_limit();
    }
  }
  // A launch that ended just as the watchdog struck has lost its QEMU.
  attempt.launched = rc == 0 && attempt.stopped_after.count() == 0;
  attempt.errors = std::move(capture.errors);
  attempt.qemu_said = last_qemu_line(capture.console);
  if (console_handle >= 0) {
    guestfs_delete_event_callback(g, console_handle);
  }
  guestfs_set_error_handler(g, nullptr, nullptr);
  if (!attempt.launched) {
    guestfs_close(g);
    return static_cast<guestfs_h*>(nullptr);
  }
  return g;
}

} // namespace

Result<std::unique_ptr<GuestfsSession>>
GuestfsSession::launch(const std::vector<GuestDrive>& drives)
{
  std::vector<LaunchAttempt> attempts(1);
  OCNE_TRY_ASSIGN(guestfs_h * g, try_launch(drives, false, attempts.back()));
  if (g == nullptr && retry_with_tcg(attempts.back())) {
    log::warn("{}", tcg_retry_notice(attempts.back()));
    attempts.emplace_back();
    OCNE_TRY_ASSIGN(g, try_launch(drives, true, attempts.back()));
  }
  if (g == nullptr) {
    return tl::unexpected(launch_failure(attempts));
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
    struct guestfs_xfs_admin_argv args
    {};
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
