#include "pkg/core/file_lock.hpp"

#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace ocne {

Result<FileLock>
FileLock::acquire(const fs::Path& file, std::chrono::milliseconds timeout, std::string_view what, Clock* clock)
{
  if (file.has_parent_path()) {
    OCNE_TRY(fs::ensure_dir(file.parent_path(), fs::k_private_dir));
  }
  fs::Fd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, fs::k_private));
  if (!fd) {
    return make_error(ErrorKind::io, "{}: {}", file.string(), fs::errno_message(errno));
  }
  PollMessages messages;
  messages.timed_out = [&](std::string_view) {
    std::string holder = "unknown pid";
    if (auto content = fs::read_file(file, 64); content && !str::trim(*content).empty()) {
      holder = fmt::format("pid {}", str::trim(*content));
    }
    return Error(
      ErrorKind::conflict,
      fmt::format(
        "{} is in use by another ocne run ({}); wait for it to finish (lock file {})", what, holder, file.string()));
  };
  // Short pauses first: a lock is mostly held for moments. Ctrl-C is left to
  // the caller, as it always was.
  OCNE_TRY(poll({ .timeout = timeout,
                  .interval = std::chrono::milliseconds(10),
                  .max_interval = std::chrono::milliseconds(200),
                  .watch_interrupt = false,
                  .clock = clock },
                messages,
                [&]() -> Status {
                  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
                    return {};
                  }
                  if (errno != EWOULDBLOCK && errno != EINTR) {
                    return make_error(ErrorKind::io, "{}: cannot lock: {}", file.string(), fs::errno_message(errno));
                  }
                  return not_ready_yet("held");
                }));
  // Record the holder for the message another run may print.
  const auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) == 0) {
    [[maybe_unused]] const auto n = ::pwrite(fd.get(), pid.data(), pid.size(), 0);
  }
  return FileLock(std::move(fd), file);
}

} // namespace ocne
