#include "pkg/libvirt/source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ocne::libvirt {

Result<FileSource>
FileSource::open(const fs::Path& path)
{
  fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return make_error(
      errno == ENOENT ? ErrorKind::not_found : ErrorKind::io, "{}: {}", path.string(), fs::errno_message(errno));
  }
  struct stat st
  {};
  if (fstat(fd.get(), &st) != 0) {
    return make_error(ErrorKind::io, "{}: {}", path.string(), fs::errno_message(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(ErrorKind::invalid_input, "{}: not a regular file", path.string());
  }
  return FileSource(std::move(fd), path, static_cast<std::uint64_t>(st.st_size));
}

Result<std::size_t>
FileSource::read(char* buffer, std::size_t n)
{
  while (true) {
    const ssize_t got = ::read(m_fd.get(), buffer, n);
    if (got >= 0) {
      return static_cast<std::size_t>(got);
    }
    if (errno != EINTR) {
      return make_error(ErrorKind::io, "{}: {}", m_path.string(), fs::errno_message(errno));
    }
  }
}

Result<std::size_t>
MemorySource::read(char* buffer, std::size_t n)
{
  const std::size_t take = std::min(n, m_data.size() - m_offset);
  std::memcpy(buffer, m_data.data() + m_offset, take);
  m_offset += take;
  return take;
}

} // namespace ocne::libvirt
