#pragma once

// Reading tar archives (plain, gzip or zstd compressed) with libarchive,
// entry by entry and in a stream: nothing is unpacked to disk except what
// the caller writes out itself.

#include "pkg/core/error.hpp"
#include "pkg/image/byte_source.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct archive;

namespace ocne::image {

class ArchiveReader
{
public:
  // Opens a tar read from source (which must outlive the reader). what names
  // the archive in errors ("layer sha256:0123abcd of <ref>").
  static Result<std::unique_ptr<ArchiveReader>> open(ByteSource& source, std::string what);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // Moves to the next entry; false at the end of the archive.
  Result<bool> next_entry();
  // The current entry's path without a leading "./" or "/".
  const std::string&
  path() const
  {
    return m_path;
  }
  bool
  is_regular_file() const
  {
    return m_regular;
  }
  std::uint64_t
  size() const
  {
    return m_size;
  }

  // Reads the current entry whole; fails when it is larger than max.
  Result<std::string> read_all(std::uint64_t max);
  // Streams the current entry: on_block(offset, bytes) for each block, with
  // offsets that jump over the holes of a sparse entry.
  Status read_blocks(const std::function<Status(std::uint64_t, std::string_view)>& on_block);
  // Reads the current entry sequentially (holes as zeros); 0 at its end.
  Result<std::size_t> read(char* buffer, std::size_t max);

  const std::string&
  what() const
  {
    return m_what;
  }

private:
  struct Callbacks;
  ArchiveReader(ByteSource& source, std::string what);
  Error archive_error(std::string_view doing) const;

  ByteSource& m_source;
  std::string m_what;
  archive* m_archive = nullptr;
  std::string m_path;
  bool m_regular = false;
  std::uint64_t m_size = 0;
  std::optional<Error> m_source_error;
};

// The current entry of an archive as a byte source (for an archive inside an
// archive, such as a layer inside a docker-archive tarball).
class EntrySource final : public ByteSource
{
public:
  explicit EntrySource(ArchiveReader& reader) : m_reader(reader), m_buffer(1 << 20)
  {
  }
  Result<std::string_view> next() override;

private:
  ArchiveReader& m_reader;
  std::vector<char> m_buffer;
};

} // namespace ocne::image
