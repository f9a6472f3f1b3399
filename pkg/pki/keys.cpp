#include "pkg/pki/keys.hpp"

#include "pkg/pki/ossl.hpp"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <vector>

namespace ocne::pki {

using namespace detail;

Result<Secret>
make_rsa_key(int bits)
{
  if (bits < 2048) {
    return make_error(ErrorKind::internal, "refusing to make an RSA key of {} bits (at least 2048)", bits);
  }
  PKeyCtx ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot set up RSA key generation"));
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot generate an RSA key"));
  }
  PKey key(raw);
  auto pem = private_key_pem(key.get());
  if (pem.empty()) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot encode an RSA key"));
  }
  return Secret(std::move(pem));
}

Result<std::string>
public_key_pem(const Secret& private_key)
{
  PKey key = parse_private_key(private_key.reveal());
  if (!key) {
    return tl::unexpected(openssl_error(ErrorKind::invalid_input, "cannot parse the private key"));
  }
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot encode the public key"));
  }
  return bio_contents(bio.get());
}

Result<Secret>
random_hex(std::size_t count)
{
  std::vector<unsigned char> bytes(count);
  if (count > 0 && RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "the random number generator failed"));
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(count * 2);
  for (const unsigned char b : bytes) {
    out.push_back(k_hex[b >> 4]);
    out.push_back(k_hex[b & 0x0f]);
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return Secret(std::move(out));
}

namespace {

constexpr std::string_view k_token_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

// Appends n characters drawn uniformly from the token alphabet (rejection
// sampling, so no character is more likely than another).
Status
append_random_chars(std::string& out, std::size_t n)
{
  const unsigned limit = 256 - (256 % k_token_alphabet.size());
  while (n > 0) {
    unsigned char buffer[64];
    if (RAND_bytes(buffer, sizeof(buffer)) != 1) {
      return tl::unexpected(openssl_error(ErrorKind::internal, "the random number generator failed"));
    }
    for (const unsigned char b : buffer) {
      if (n == 0) {
        break;
      }
      if (b < limit) {
        out.push_back(k_token_alphabet[b % k_token_alphabet.size()]);
        --n;
      }
    }
    OPENSSL_cleanse(buffer, sizeof(buffer));
  }
  return {};
}

} // namespace

Result<Secret>
make_bootstrap_token()
{
  std::string token;
  token.reserve(23);
  OCNE_TRY(append_random_chars(token, 6));
  token.push_back('.');
  OCNE_TRY(append_random_chars(token, 16));
  return Secret(std::move(token));
}

bool
is_bootstrap_token(std::string_view text)
{
  if (text.size() != 23 || text[6] != '.') {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 6) {
      continue;
    }
    if (k_token_alphabet.find(text[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

} // namespace ocne::pki
