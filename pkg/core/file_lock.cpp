#include "pkg/core/file_lock.hpp"

#include "pkg/core/strings.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace ocne {

Result<FileLock>
FileLock::acquire(const fs::Path& file, std::chrono::milliseconds timeout, std::string_view what)
{
  if (file.has_parent_path()) {
    OCNE_TRY(fs::ensure_dir(file.parent_path(), fs::k_private_dir));
  }
  fs::Fd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, fs::k_private));
  if (!fd) {
    return make_error(ErrorKind::io, "{}: {}", file.string(), fs::errno_message(errno));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(10);
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return make_error(ErrorKind::io, "{}: cannot lock: {}", file.string(), fs::errno_message(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string holder = "unknown pid";
      if (auto content = fs::read_file(file, 64); content && !str::trim(*content).empty()) {
        holder = fmt::format("pid {}", str::trim(*content));
      }
      return make_error(ErrorKind::conflict,
                        "{} is in use by another ocne run ({}); wait for it to finish (lock file {})",
                        what,
                        holder,
                        file.string());
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
  // Record the holder for the message another run may print.
  const auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) == 0) {
    [[maybe_unused]] const auto n = ::pwrite(fd.get(), pid.data(), pid.size(), 0);
  }
  return FileLock(std::move(fd), file);
}

} // namespace ocne
