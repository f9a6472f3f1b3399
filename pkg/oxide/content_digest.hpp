#pragma once

// The content digest ocne records in the description of every image it
// uploads, so a second upload of the same content is recognised and reused.
//
// Definition ("sparse-sha256"): SHA-256 over the text "ocne-sparse-sha256-v1\n",
// the disk size as a big-endian u64, then, for every 512 KiB chunk of the
// disk (the image's virtual content padded with zeros to the disk size) that
// is not all zeros, in offset order: the chunk's byte offset (big-endian u64)
// and the SHA-256 of its 512 KiB. Zero chunks cost nothing to hash, the
// result does not depend on raw vs qcow2, and equal digests mean equal disks.

#include "pkg/core/sha256.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::oxide {

inline constexpr std::uint64_t k_chunk_size = 512 * 1024; // the pantry's largest write
inline constexpr std::string_view k_digest_prefix = "sparse-sha256:";

using Sha256 = Sha256Bytes;

Sha256 sha256(std::span<const char> data);

class ContentDigest
{
public:
  explicit ContentDigest(std::uint64_t disk_size);

  std::uint64_t
  chunks() const
  {
    return m_present.size();
  }
  // Records the hash of a non-zero chunk. Calls for different chunks may run
  // in parallel.
  void set(std::uint64_t chunk, const Sha256& hash);
  bool
  has(std::uint64_t chunk) const
  {
    return m_present[chunk] != 0;
  }
  const Sha256&
  hash(std::uint64_t chunk) const
  {
    return m_hashes[chunk];
  }
  // "sparse-sha256:<64 hex digits>".
  std::string finish() const;

private:
  std::uint64_t m_disk_size;
  std::vector<Sha256> m_hashes;
  std::vector<unsigned char> m_present; // not vector<bool>: written from many threads
};

} // namespace ocne::oxide
