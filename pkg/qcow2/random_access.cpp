#include "pkg/core/fs.hpp"
#include "pkg/qcow2/disk_image.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ocne::qcow2 {

namespace {

class FileSource final : public RandomAccess
{
public:
  FileSource(fs::Fd fd, std::uint64_t size, std::string name)
    : m_fd(std::move(fd)), m_size(size), m_name(std::move(name))
  {
  }

  std::uint64_t
  size() const override
  {
    return m_size;
  }

  const std::string&
  name() const override
  {
    return m_name;
  }

  Result<std::size_t>
  read_at(std::uint64_t offset, std::span<char> out) const override
  {
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(m_fd.get(), out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return make_error(ErrorKind::io, "{}: read at offset {}: {}", m_name, offset + done, fs::errno_message(errno));
      }
      if (n == 0) {
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

  // SEEK_DATA / SEEK_HOLE walk; file systems without support report one data
  // extent, which is still correct.
  std::vector<Extent>
  allocation() const override
  {
    std::vector<Extent> out;
    off_t pos = 0;
    const auto end = static_cast<off_t>(m_size);
    while (pos < end) {
      const off_t data = ::lseek(m_fd.get(), pos, SEEK_DATA);
      if (data < 0) {
        if (errno == ENXIO) { // no more data: the rest is a hole
          out.push_back({ static_cast<std::uint64_t>(pos), static_cast<std::uint64_t>(end - pos), true });
          return out;
        }
        return RandomAccess::allocation();
      }
      if (data > pos) {
        out.push_back({ static_cast<std::uint64_t>(pos), static_cast<std::uint64_t>(data - pos), true });
      }
      off_t hole = ::lseek(m_fd.get(), data, SEEK_HOLE);
      if (hole < 0 || hole > end) {
        hole = end;
      }
      out.push_back({ static_cast<std::uint64_t>(data), static_cast<std::uint64_t>(hole - data), false });
      pos = hole;
    }
    return out;
  }

private:
  fs::Fd m_fd;
  std::uint64_t m_size;
  std::string m_name;
};

class MemorySource final : public RandomAccess
{
public:
  MemorySource(std::string bytes, std::string name) : m_bytes(std::move(bytes)), m_name(std::move(name))
  {
  }

  std::uint64_t
  size() const override
  {
    return m_bytes.size();
  }

  const std::string&
  name() const override
  {
    return m_name;
  }

  Result<std::size_t>
  read_at(std::uint64_t offset, std::span<char> out) const override
  {
    if (offset >= m_bytes.size()) {
      return std::size_t{ 0 };
    }
    const auto n = std::min<std::uint64_t>(out.size(), m_bytes.size() - offset);
    std::memcpy(out.data(), m_bytes.data() + offset, n);
    return static_cast<std::size_t>(n);
  }

private:
  std::string m_bytes;
  std::string m_name;
};

} // namespace

std::vector<Extent>
RandomAccess::allocation() const
{
  if (size() == 0) {
    return {};
  }
  return { Extent{ 0, size(), false } };
}

Result<std::shared_ptr<RandomAccess>>
open_file(const std::filesystem::path& path)
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
    return make_error(ErrorKind::invalid_input, "{}: is a directory, not a disk image", path.string());
  }
  std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  if (S_ISBLK(st.st_mode)) {
    const off_t end = ::lseek(fd.get(), 0, SEEK_END);
    size = end > 0 ? static_cast<std::uint64_t>(end) : 0;
  } else if (!S_ISREG(st.st_mode)) {
    return make_error(ErrorKind::invalid_input, "{}: not a regular file or block device", path.string());
  }
  return std::shared_ptr<RandomAccess>(std::make_shared<FileSource>(std::move(fd), size, path.string()));
}

std::shared_ptr<RandomAccess>
memory_source(std::string bytes, std::string name)
{
  return std::make_shared<MemorySource>(std::move(bytes), std::move(name));
}

} // namespace ocne::qcow2
