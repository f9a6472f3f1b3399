#pragma once

// Disk contents for the Oxide test server: a sparse, already-unlinked file,
// so a 100 GiB disk with 1 MiB written costs 1 MiB. Writes of all-zero data
// punch holes; reads of holes return zeros.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::test {

class BlockStore
{
public:
  // Throws std::runtime_error when the file cannot be created.
  BlockStore(const std::filesystem::path& dir, std::uint64_t size);
  ~BlockStore();
  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  std::uint64_t
  size() const
  {
    return m_size;
  }
  // Thread-safe; the caller has checked bounds and alignment.
  void write(std::uint64_t offset, std::string_view data);
  std::string read(std::uint64_t offset, std::size_t length) const;
  // Data regions (SEEK_DATA/SEEK_HOLE), as [offset, end) pairs.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> data_regions() const;
  // The content digest (see content_digest_of_file in oxide_server.hpp).
  std::string digest() const;
  int
  fd() const
  {
    return m_fd;
  }

private:
  int m_fd = -1;
  std::uint64_t m_size = 0;
};

// The digest over any file descriptor whose content is zero-padded to size.
std::string sparse_digest(int fd, std::uint64_t file_size, std::uint64_t size);

} // namespace ocne::test
