#include "pkg/oxide/content_digest.hpp"

#include <openssl/evp.h>

#include <memory>

namespace ocne::oxide {

namespace {

struct MdCtxDeleter
{
  void
  operator()(EVP_MD_CTX* ctx) const
  {
    EVP_MD_CTX_free(ctx);
  }
};

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
  Sha256 out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
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
  const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  const std::string_view header = "ocne-sparse-sha256-v1\n";
  EVP_DigestUpdate(ctx.get(), header.data(), header.size());
  unsigned char be[8];
  be64(be, m_disk_size);
  EVP_DigestUpdate(ctx.get(), be, 8);
  for (std::uint64_t i = 0; i < m_present.size(); ++i) {
    if (m_present[i] == 0) {
      continue;
    }
    be64(be, i * k_chunk_size);
    EVP_DigestUpdate(ctx.get(), be, 8);
    EVP_DigestUpdate(ctx.get(), m_hashes[i].data(), m_hashes[i].size());
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  static const char* digits = "0123456789abcdef";
  std::string text(k_digest_prefix);
  for (unsigned int i = 0; i < len; ++i) {
    text += digits[out[i] >> 4];
    text += digits[out[i] & 15];
  }
  return text;
}

} // namespace ocne::oxide
