#include "pkg/oxide/content_digest.hpp"

#include "pkg/core/sha256.hpp"

namespace ocne::oxide {

namespace {

void
be64(unsigned char* out, std::uint64_t v)
{
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<unsigned char>(v >> (56 - 8 * i));
  }
}

} // namespace

Sha256
sha256(std::span<const char> data)
{
  return ocne::sha256(std::string_view(data.data(), data.size()));
}

ContentDigest::ContentDigest(std::uint64_t disk_size)
  : m_disk_size(disk_size),
    m_hashes((disk_size + k_chunk_size - 1) / k_chunk_size),
    m_present((disk_size + k_chunk_size - 1) / k_chunk_size, 0)
{
}

void
ContentDigest::set(std::uint64_t chunk, const Sha256& hash)
{
  m_hashes[chunk] = hash;
  m_present[chunk] = 1;
}

std::string
ContentDigest::finish() const
{
  Sha256Hasher hasher;
  hasher.update(std::string_view("ocne-sparse-sha256-v1\n"));
  unsigned char be[8];
  be64(be, m_disk_size);
  hasher.update(std::span<const unsigned char>(be, 8));
  for (std::uint64_t i = 0; i < m_present.size(); ++i) {
    if (m_present[i] == 0) {
      continue;
    }
    be64(be, i * k_chunk_size);
    hasher.update(std::span<const unsigned char>(be, 8));
    hasher.update(std::span<const unsigned char>(m_hashes[i]));
  }
  return std::string(k_digest_prefix) + hasher.finish_hex();
}

} // namespace ocne::oxide
