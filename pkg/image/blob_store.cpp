#include "pkg/image/blob_store.hpp"

#include <sys/stat.h>

namespace ocne::image {

fs::Path
BlobStore::path(const Digest& digest) const
{
  return m_dir / digest.algorithm / digest.hex;
}

fs::Path
BlobStore::partial_path(const Digest& digest) const
{
  return m_dir / digest.algorithm / (digest.hex + ".partial");
}

bool
BlobStore::has(const Digest& digest, std::uint64_t size) const
{
  struct stat st
  {};
  return ::stat(path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         static_cast<std::uint64_t>(st.st_size) == size;
}

Status
BlobStore::remove(const Digest& digest) const
{
  OCNE_TRY(fs::remove_file(path(digest)));
  return fs::remove_file(partial_path(digest));
}

Result<FileLock>
BlobStore::lock(const Digest& digest, std::chrono::milliseconds timeout) const
{
  return FileLock::acquire(
    m_dir / digest.algorithm / (digest.hex + ".lock"), timeout, fmt::format("blob {}", digest.brief()));
}

} // namespace ocne::image
