#include "tests/servers/oci/test_keys.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace ocne::test::oci {

namespace {

std::string
bio_text(BIO* bio)
{
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

} // namespace

TestKey
make_test_key(int bits)
{
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key == nullptr) {
    throw std::runtime_error("cannot generate an RSA test key");
  }
  TestKey out;
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PKCS8PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.private_pem = bio_text(priv);
  BIO_free(priv);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  out.public_pem = bio_text(pub);
  BIO_free(pub);
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  EVP_Digest(der, static_cast<std::size_t>(len), digest, &dlen, EVP_md5(), nullptr);
  OPENSSL_free(der);
  static constexpr char k_hex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < dlen; ++i) {
    if (i > 0) {
      out.fingerprint += ':';
    }
    out.fingerprint += k_hex[digest[i] >> 4];
    out.fingerprint += k_hex[digest[i] & 0xf];
  }
  EVP_PKEY_free(key);
  return out;
}

const TestKey&
shared_test_key()
{
  static const TestKey key = make_test_key();
  return key;
}

} // namespace ocne::test::oci
