#include "pkg/core/sha256.hpp"

#include <openssl/evp.h>

#include <new>

namespace ocne {

struct Sha256Hasher::Impl
{
  EVP_MD_CTX* ctx = nullptr;

  Impl() : ctx(EVP_MD_CTX_new())
  {
    if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(ctx);
      throw std::bad_alloc();
    }
  }
  ~Impl()
  {
    EVP_MD_CTX_free(ctx);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

Sha256Hasher::Sha256Hasher() : m_impl(std::make_unique<Impl>())
{
}

Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void
Sha256Hasher::update(std::string_view data)
{
  EVP_DigestUpdate(m_impl->ctx, data.data(), data.size());
}

void
Sha256Hasher::update(std::span<const unsigned char> data)
{
  EVP_DigestUpdate(m_impl->ctx, data.data(), data.size());
}

Sha256Bytes
Sha256Hasher::finish()
{
  Sha256Bytes out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_impl->ctx, out.data(), &len);
  EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr);
  return out;
}

std::string
Sha256Hasher::finish_hex()
{
  return to_hex(finish());
}

Sha256Bytes
sha256(std::string_view data)
{
  Sha256Hasher h;
  h.update(data);
  return h.finish();
}

std::string
sha256_hex(std::string_view data)
{
  return to_hex(sha256(data));
}

std::string
to_hex(std::span<const unsigned char> bytes)
{
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char b : bytes) {
    out += k_digits[b >> 4];
    out += k_digits[b & 0x0f];
  }
  return out;
}

} // namespace ocne
