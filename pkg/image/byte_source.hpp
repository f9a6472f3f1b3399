#pragma once

// Sequential byte streams that archives are read from: a file, an entry of an
// outer archive (a layer inside a docker-archive tarball), and a wrapper that
// hashes what passes through so a layer is checked against its digest.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/image/digest.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::image {

class ByteSource
{
public:
  virtual ~ByteSource() = default;
  // The next chunk; empty at the end. The view stays valid until the next call.
  virtual Result<std::string_view> next() = 0;
  // Skips up to n bytes without reading them when the source can seek;
  // returns how many were skipped (0 when it cannot).
  virtual Result<std::uint64_t>
  skip(std::uint64_t)
  {
    return 0;
  }
};

// A file, read in 1 MiB chunks.
class FileSource final : public ByteSource
{
public:
  static Result<FileSource> open(const fs::Path& path);
  Result<std::string_view> next() override;
  Result<std::uint64_t> skip(std::uint64_t n) override;
  std::uint64_t
  size() const
  {
    return m_size;
  }

private:
  FileSource(fs::Fd fd, fs::Path path, std::uint64_t size);
  fs::Fd m_fd;
  fs::Path m_path;
  std::uint64_t m_size = 0;
  std::uint64_t m_offset = 0;
  std::vector<char> m_buffer;
};

// Passes another source through, hashing every byte and counting them.
// on_bytes (optional) sees the running total, for progress.
class HashingSource final : public ByteSource
{
public:
  explicit HashingSource(ByteSource& inner, std::function<void(std::uint64_t)> on_bytes = {})
    : m_inner(inner), m_on_bytes(std::move(on_bytes))
  {
  }
  Result<std::string_view> next() override;
  // Reads what is left of the inner source, so the digest covers all of it.
  Status drain();
  std::uint64_t
  count() const
  {
    return m_count;
  }
  Digest
  finish()
  {
    return m_hash.finish();
  }

private:
  ByteSource& m_inner;
  std::function<void(std::uint64_t)> m_on_bytes;
  Sha256 m_hash;
  std::uint64_t m_count = 0;
};

} // namespace ocne::image
