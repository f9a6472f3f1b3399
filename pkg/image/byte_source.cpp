#include "pkg/image/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ocne::image {

namespace {
constexpr std::size_t k_chunk = 1 << 20;
}

FileSource::FileSource(fs::Fd fd, fs::Path path, std::uint64_t size)
  : m_fd(std::move(fd)), m_path(std::move(path)), m_size(size), m_buffer(k_chunk)
{
}

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
  if (::fstat(fd.get(), &st) != 0) {
    return make_error(ErrorKind::io, "{}: {}", path.string(), fs::errno_message(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    return make_error(ErrorKind::invalid_input, "{}: is a directory", path.string());
  }
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  return FileSource(std::move(fd), path, static_cast<std::uint64_t>(st.st_size));
}

Result<std::string_view>
FileSource::next()
{
  while (true) {
    const auto n = ::pread(m_fd.get(), m_buffer.data(), m_buffer.size(), static_cast<off_t>(m_offset));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return make_error(ErrorKind::io, "{}: {}", m_path.string(), fs::errno_message(errno));
    }
    m_offset += static_cast<std::uint64_t>(n);
    return std::string_view(m_buffer.data(), static_cast<std::size_t>(n));
  }
}

Result<std::uint64_t>
FileSource::skip(std::uint64_t n)
{
  const auto left = m_size > m_offset ? m_size - m_offset : 0;
  const auto step = std::min(n, left);
  m_offset += step;
  return step;
}

Result<std::string_view>
HashingSource::next()
{
  OCNE_TRY_ASSIGN(const auto chunk, m_inner.next());
  m_hash.update(chunk);
  m_count += chunk.size();
  if (m_on_bytes && !chunk.empty()) {
    m_on_bytes(m_count);
  }
  return chunk;
}

Status
HashingSource::drain()
{
  while (true) {
    OCNE_TRY_ASSIGN(const auto chunk, next());
    if (chunk.empty()) {
      return {};
    }
  }
}

} // namespace ocne::image
