#include "pkg/core/fs.hpp"

#include "pkg/core/strings.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace ocne::fs {

namespace {

Error
io_error(const Path& path, int err)
{
  const auto kind = err == ENOENT ? ErrorKind::not_found : ErrorKind::io;
  return Error(kind, fmt::format("{}: {}", path.string(), errno_message(err)));
}

std::string
random_suffix()
{
  static thread_local std::mt19937_64 rng{ std::random_device{}() };
  return fmt::format("{:016x}", rng());
}

Status
write_all(int fd, std::string_view data, const Path& path)
{
  while (!data.empty()) {
    const auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return tl::unexpected(io_error(path, errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status
fsync_dir(const Path& dir)
{
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    return tl::unexpected(io_error(dir, errno));
  }
  ::fsync(fd.get()); // best effort: some file systems refuse fsync on folders
  return {};
}

} // namespace

std::string
errno_message(int err)
{
  return str::to_lower(std::strerror(err));
}

void
Fd::reset(int fd)
{
  if (m_fd >= 0) {
    ::close(m_fd);
  }
  m_fd = fd;
}

Result<std::string>
read_file(const Path& path, std::uint64_t max_size)
{
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return tl::unexpected(io_error(path, errno));
  }
  struct stat st
  {};
  if (::fstat(fd.get(), &st) != 0) {
    return tl::unexpected(io_error(path, errno));
  }
  if (S_ISDIR(st.st_mode)) {
    return make_error(ErrorKind::invalid_input, "{}: is a directory, not a file", path.string());
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_size) {
    return make_error(
      ErrorKind::invalid_input, "{}: file is too large ({} bytes, at most {})", path.string(), st.st_size, max_size);
  }
  std::string out;
  char buffer[65536];
  while (true) {
    const auto n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return tl::unexpected(io_error(path, errno));
    }
    if (n == 0) {
      break;
    }
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > max_size) {
      return make_error(ErrorKind::invalid_input, "{}: file is too large", path.string());
    }
  }
  return out;
}

Status
write_file_atomic(const Path& path, std::string_view content, unsigned mode)
{
  OCNE_TRY_ASSIGN(auto file, AtomicFile::create(path, mode));
  OCNE_TRY(file.write(content));
  return file.commit();
}

Status
ensure_dir(const Path& path, unsigned mode)
{
  if (path.empty()) {
    return {};
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return {};
  }
  if (path.has_parent_path() && path.parent_path() != path) {
    OCNE_TRY(ensure_dir(path.parent_path(), mode));
  }
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return tl::unexpected(io_error(path, errno));
  }
  if (!std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorKind::io, "{}: exists and is not a directory", path.string());
  }
  return {};
}

Status
remove_file(const Path& path)
{
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return tl::unexpected(io_error(path, errno));
  }
  return {};
}

Result<unsigned>
file_mode(const Path& path)
{
  struct stat st
  {};
  if (::stat(path.c_str(), &st) != 0) {
    return tl::unexpected(io_error(path, errno));
  }
  return static_cast<unsigned>(st.st_mode & 07777);
}

Path
expand_user(std::string_view path, const Path& home)
{
  if (path == "~") {
    return home;
  }
  if (str::starts_with(path, "~/")) {
    return home / Path(path.substr(2));
  }
  return Path(path);
}

Path
resolve_path(std::string_view path, const Path& base, const Path& home)
{
  if (path.empty()) {
    return {};
  }
  Path p = expand_user(path, home);
  if (p.is_relative()) {
    p = base / p;
  }
  return p.lexically_normal();
}

AtomicFile::AtomicFile(Fd fd, Path target, Path temp)
  : m_fd(std::move(fd)), m_target(std::move(target)), m_temp(std::move(temp))
{
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
  : m_fd(std::move(other.m_fd)),
    m_target(std::move(other.m_target)),
    m_temp(std::move(other.m_temp)),
    m_committed(other.m_committed)
{
  other.m_committed = true; // the moved-from object must not delete the file
}

AtomicFile::~AtomicFile()
{
  if (!m_committed && !m_temp.empty()) {
    m_fd.reset();
    ::unlink(m_temp.c_str());
  }
}

Result<AtomicFile>
AtomicFile::create(const Path& path, unsigned mode)
{
  const Path dir = path.has_parent_path() ? path.parent_path() : Path(".");
  const Path temp = dir / fmt::format(".{}.tmp-{}", path.filename().string(), random_suffix());
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd) {
    return tl::unexpected(io_error(path, errno));
  }
  // The umask may have removed bits; set exactly what was asked.
  ::fchmod(fd.get(), mode);
  return AtomicFile(std::move(fd), path, temp);
}

Status
AtomicFile::write(std::string_view data)
{
  return write_all(m_fd.get(), data, m_target);
}

Status
AtomicFile::pwrite(std::string_view data, std::uint64_t offset)
{
  while (!data.empty()) {
    const auto n = ::pwrite(m_fd.get(), data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return tl::unexpected(io_error(m_target, errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return {};
}

Status
AtomicFile::truncate(std::uint64_t size)
{
  if (::ftruncate(m_fd.get(), static_cast<off_t>(size)) != 0) {
    return tl::unexpected(io_error(m_target, errno));
  }
  return {};
}

Status
AtomicFile::commit()
{
  if (m_committed) {
    return make_error(ErrorKind::internal, "{}: committed twice", m_target.string());
  }
  if (::fsync(m_fd.get()) != 0) {
    return tl::unexpected(io_error(m_target, errno));
  }
  m_fd.reset();
  if (::rename(m_temp.c_str(), m_target.c_str()) != 0) {
    const int err = errno;
    ::unlink(m_temp.c_str());
    m_committed = true;
    return tl::unexpected(io_error(m_target, err));
  }
  m_committed = true;
  return fsync_dir(m_target.has_parent_path() ? m_target.parent_path() : Path("."));
}

} // namespace ocne::fs
