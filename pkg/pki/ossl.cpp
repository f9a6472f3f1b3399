#include "pkg/pki/ossl.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace ocne::pki::detail {

Error
openssl_error(ErrorKind kind, std::string_view what)
{
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return Error(kind, std::string(what));
  }
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  const char* reason = ERR_reason_error_string(code);
  return Error(kind, fmt::format("{}: {}", what, reason != nullptr ? reason : buffer));
}

std::string
bio_contents(BIO* bio)
{
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

PKey
parse_private_key(std::string_view pem)
{
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return nullptr;
  }
  return PKey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

X509Ptr
parse_certificate(std::string_view pem)
{
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return nullptr;
  }
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string
certificate_pem(X509* cert)
{
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return {};
  }
  return bio_contents(bio.get());
}

std::string
private_key_pem(EVP_PKEY* key)
{
  Bio bio(BIO_new(BIO_s_mem()));
  // PKCS#8 unencrypted, as kubeadm and kubectl read it.
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return {};
  }
  return bio_contents(bio.get());
}

} // namespace ocne::pki::detail
