#pragma once

// An advisory lock on a file (flock), so that two ocne runs working on the
// same cluster or writing the same state file do not collide. The kernel drops
// the lock when the process dies, so a crash never leaves a stale lock.

#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <chrono>
#include <string_view>

namespace ocne {

class FileLock
{
public:
  // Takes the lock on file (created if missing), waiting up to timeout. On
  // timeout the error names what is locked and the pid of the holder:
  // "cluster 'x' is in use by another ocne run (pid 123); ...".
  static Result<FileLock> acquire(const fs::Path& file,
                                  std::chrono::milliseconds timeout,
                                  std::string_view what,
                                  Clock* clock = nullptr);

  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() = default; // closing the descriptor releases the lock

  const fs::Path&
  path() const
  {
    return m_path;
  }

private:
  FileLock(fs::Fd fd, fs::Path path) : m_fd(std::move(fd)), m_path(std::move(path))
  {
  }
  fs::Fd m_fd;
  fs::Path m_path;
};

} // namespace ocne
