#pragma once

// Where the bytes of a volume upload come from: a local file or memory.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ocne::libvirt {

class ByteSource
{
public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  // Reads up to n bytes into buffer; 0 at the end.
  virtual Result<std::size_t> read(char* buffer, std::size_t n) = 0;
  // For messages: "/path/boot.qcow2", "the Ignition config".
  virtual std::string describe() const = 0;
};

class FileSource final : public ByteSource
{
public:
  static Result<FileSource> open(const fs::Path& path);
  std::uint64_t
  size() const override
  {
    return m_size;
  }
  Result<std::size_t> read(char* buffer, std::size_t n) override;
  std::string
  describe() const override
  {
    return m_path.string();
  }

private:
  FileSource(fs::Fd fd, fs::Path path, std::uint64_t size) : m_fd(std::move(fd)), m_path(std::move(path)), m_size(size)
  {
  }
  fs::Fd m_fd;
  fs::Path m_path;
  std::uint64_t m_size;
};

class MemorySource final : public ByteSource
{
public:
  MemorySource(std::string_view data, std::string description) : m_data(data), m_description(std::move(description))
  {
  }
  std::uint64_t
  size() const override
  {
    return m_data.size();
  }
  Result<std::size_t> read(char* buffer, std::size_t n) override;
  std::string
  describe() const override
  {
    return m_description;
  }

private:
  std::string_view m_data;
  std::size_t m_offset = 0;
  std::string m_description;
};

} // namespace ocne::libvirt
