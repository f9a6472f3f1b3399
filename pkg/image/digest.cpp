#include "pkg/image/digest.hpp"

#include "pkg/core/strings.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace ocne::image {

std::string
Digest::str() const
{
  return algorithm + ":" + hex;
}

std::string
Digest::brief() const
{
  return algorithm + ":" + hex.substr(0, 12);
}

Result<Digest>
parse_digest(std::string_view text)
{
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return make_error(ErrorKind::invalid_input, "invalid digest {}: expected sha256:<64 hex digits>", str::quote(text));
  }
  const auto algorithm = text.substr(0, colon);
  const auto hex = text.substr(colon + 1);
  if (algorithm != "sha256") {
    return make_error(ErrorKind::invalid_input,
                      "unsupported digest algorithm {} in {}: only sha256 is supported",
                      str::quote(algorithm),
                      str::quote(text));
  }
  const bool hex_ok = hex.size() == 64 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (!hex_ok) {
    return make_error(ErrorKind::invalid_input, "invalid digest {}: expected sha256:<64 hex digits>", str::quote(text));
  }
  return Digest{ std::string(algorithm), std::string(hex) };
}

struct Sha256::Impl
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

Sha256::Sha256() : m_impl(std::make_unique<Impl>())
{
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void
Sha256::update(std::string_view data)
{
  EVP_DigestUpdate(m_impl->ctx, data.data(), data.size());
}

Digest
Sha256::finish()
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_impl->ctx, md, &len);
  EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex += k_hex[md[i] >> 4];
    hex += k_hex[md[i] & 0x0f];
  }
  return Digest{ "sha256", std::move(hex) };
}

Digest
sha256_of(std::string_view data)
{
  Sha256 h;
  h.update(data);
  return h.finish();
}

} // namespace ocne::image
