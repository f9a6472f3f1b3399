#pragma once

// File helpers that return errors as values and never leave half-written
// files: every write goes to a temporary name in the target's folder and is
// renamed over the target once complete and synced.

#include "pkg/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace ocne::fs {

using Path = std::filesystem::path;

// Modes for files we write. Anything that holds a secret (kubeconfigs, keys,
// the cluster cache) is k_private.
inline constexpr unsigned k_private = 0600;
inline constexpr unsigned k_public = 0644;
inline constexpr unsigned k_private_dir = 0700;

// "strerror(err)" in lower case, for messages.
std::string errno_message(int err);

// Reads a whole file. Errors name the file: "<path>: no such file or directory".
Result<std::string> read_file(const Path& path, std::uint64_t max_size = 256ULL << 20);

// Writes content atomically with the given mode (the parent folder must exist).
Status write_file_atomic(const Path& path, std::string_view content, unsigned mode = k_public);

// Creates the folder and its parents. New folders get mode; existing ones are
// left as they are.
Status ensure_dir(const Path& path, unsigned mode = 0755);

// Removes a file; a file that does not exist is not an error.
Status remove_file(const Path& path);

// The permission bits of a file (as st_mode & 07777).
Result<unsigned> file_mode(const Path& path);

// "~" and "~/x" become home and home/x; other paths are returned unchanged.
Path expand_user(std::string_view path, const Path& home);

// Expands "~", then makes a relative path absolute against base, and
// normalises it lexically. An empty path stays empty.
Path resolve_path(std::string_view path, const Path& base, const Path& home);

// A move-only owned file descriptor.
class Fd
{
public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd)
  {
  }
  Fd(Fd&& other) noexcept : m_fd(other.release())
  {
  }
  Fd&
  operator=(Fd&& other) noexcept
  {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd()
  {
    reset();
  }

  int
  get() const
  {
    return m_fd;
  }
  explicit operator bool() const
  {
    return m_fd >= 0;
  }
  int
  release()
  {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }
  void reset(int fd = -1);

private:
  int m_fd = -1;
};

// A file written in pieces (a download, an extraction) that appears under its
// final name only when commit() succeeds. Destroyed uncommitted, it removes
// the temporary file, so a failure never leaves a half-written file behind.
class AtomicFile
{
public:
  static Result<AtomicFile> create(const Path& path, unsigned mode = k_public);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  Status write(std::string_view data);
  // Writes at an offset (for parallel or sparse writes); the file grows as needed.
  Status pwrite(std::string_view data, std::uint64_t offset);
  // Sets the final size (extends sparsely or truncates).
  Status truncate(std::uint64_t size);
  int
  fd() const
  {
    return m_fd.get();
  }
  const Path&
  temp_path() const
  {
    return m_temp;
  }
  // fsync, rename over the target, fsync the folder.
  Status commit();

private:
  AtomicFile(Fd fd, Path target, Path temp);
  Fd m_fd;
  Path m_target;
  Path m_temp;
  bool m_committed = false;
};

} // namespace ocne::fs
