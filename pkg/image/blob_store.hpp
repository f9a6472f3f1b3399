#pragma once

// Downloaded blobs, by digest, under <images dir>/blobs/sha256/:
//   <hex>          a complete blob whose digest was verified
//   <hex>.partial  an interrupted download, resumed with a Range request
//   <hex>.lock     held while one ocne run downloads that blob

#include "pkg/core/error.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/image/digest.hpp"

#include <cstdint>

namespace ocne::image {

class BlobStore
{
public:
  explicit BlobStore(fs::Path dir) : m_dir(std::move(dir))
  {
  }

  const fs::Path&
  dir() const
  {
    return m_dir;
  }
  fs::Path path(const Digest& digest) const;
  fs::Path partial_path(const Digest& digest) const;
  // Whether a complete blob of that size is present.
  bool has(const Digest& digest, std::uint64_t size) const;
  // Removes the blob and any partial download of it.
  Status remove(const Digest& digest) const;
  // Waits (up to timeout) until no other run downloads this blob.
  Result<FileLock> lock(const Digest& digest, std::chrono::milliseconds timeout) const;

private:
  fs::Path m_dir;
};

} // namespace ocne::image
