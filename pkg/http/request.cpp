#include "pkg/http/request.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"

#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ocne::http {

namespace {

bool
same_name(std::string_view a, std::string_view b)
{
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

class MemoryBody : public BodySource
{
public:
  explicit MemoryBody(std::string data) : m_data(std::move(data))
  {
  }
  std::uint64_t
  size() const override
  {
    return m_data.size();
  }
  Result<std::size_t>
  read(char* buffer, std::size_t max) override
  {
    const auto n = std::min(max, m_data.size() - m_pos);
    std::memcpy(buffer, m_data.data() + m_pos, n);
    m_pos += n;
    return n;
  }
  Status
  rewind() override
  {
    m_pos = 0;
    return {};
  }

private:
  std::string m_data;
  std::size_t m_pos = 0;
};

class FileRangeBody : public BodySource
{
public:
  FileRangeBody(fs::Fd fd, std::string path, std::uint64_t offset, std::uint64_t length)
    : m_fd(std::move(fd)), m_path(std::move(path)), m_offset(offset), m_length(length)
  {
  }
  std::uint64_t
  size() const override
  {
    return m_length;
  }
  Result<std::size_t>
  read(char* buffer, std::size_t max) override
  {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(max, m_length - m_pos));
    if (want == 0) {
      return 0;
    }
    while (true) {
      const auto n = ::pread(m_fd.get(), buffer, want, static_cast<off_t>(m_offset + m_pos));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        return make_error(ErrorKind::io, "{}: {}", m_path, fs::errno_message(errno));
      }
      if (n == 0) {
        return make_error(ErrorKind::io, "{}: file shrank while it was being sent", m_path);
      }
      m_pos += static_cast<std::uint64_t>(n);
      return static_cast<std::size_t>(n);
    }
  }
  Status
  rewind() override
  {
    m_pos = 0;
    return {};
  }

private:
  fs::Fd m_fd;
  std::string m_path;
  std::uint64_t m_offset;
  std::uint64_t m_length;
  std::uint64_t m_pos = 0;
};

} // namespace

void
Headers::add(std::string name, std::string value)
{
  m_entries.push_back({ std::move(name), std::move(value) });
}

void
Headers::set(std::string name, std::string value)
{
  remove(name);
  add(std::move(name), std::move(value));
}

void
Headers::remove(std::string_view name)
{
  std::erase_if(m_entries, [&](const Entry& e) { return same_name(e.name, name); });
}

std::optional<std::string>
Headers::get(std::string_view name) const
{
  for (const auto& e : m_entries) {
    if (same_name(e.name, name)) {
      return e.value;
    }
  }
  return std::nullopt;
}

bool
Headers::has(std::string_view name) const
{
  return get(name).has_value();
}

bool
Request::is_idempotent() const
{
  if (idempotent) {
    return *idempotent;
  }
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

std::shared_ptr<BodySource>
memory_body(std::string data)
{
  return std::make_shared<MemoryBody>(std::move(data));
}

Result<std::shared_ptr<BodySource>>
file_body(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
  fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return make_error(errno == ENOENT ? ErrorKind::not_found : ErrorKind::io, "{}: {}", path, fs::errno_message(errno));
  }
  return std::make_shared<FileRangeBody>(std::move(fd), path, offset, length);
}

} // namespace ocne::http
