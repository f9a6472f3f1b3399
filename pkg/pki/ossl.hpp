#pragma once

// Internal to pkg/pki: owning handles for the OpenSSL objects we use, and the
// error text of the OpenSSL error queue. Not part of the public API.

#include "pkg/core/error.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace ocne::pki::detail {

template<typename T, void (*F)(T*)>
struct Free
{
  void
  operator()(T* p) const
  {
    F(p);
  }
};

using PKey = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using PKeyCtx = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Free<BIO, BIO_free_all>>;
using BigNum = std::unique_ptr<BIGNUM, Free<BIGNUM, BN_free>>;
using X509Ext = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION, X509_EXTENSION_free>>;
using Names = std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES, GENERAL_NAMES_free>>;

// "what: <first OpenSSL error>" as an Error of the given kind; clears the queue.
Error openssl_error(ErrorKind kind, std::string_view what);

// The bytes written into a memory BIO.
std::string bio_contents(BIO* bio);

PKey parse_private_key(std::string_view pem);
X509Ptr parse_certificate(std::string_view pem);
std::string certificate_pem(X509* cert);
std::string private_key_pem(EVP_PKEY* key);

} // namespace ocne::pki::detail
