#pragma once

// Test helpers: read certificates back with OpenSSL and verify chains the way
// a TLS peer would (X509_verify_cert).

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <vector>

namespace ocne::test {

struct X509Free
{
  void
  operator()(X509* p) const
  {
    X509_free(p);
  }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

inline X509Ptr
load_cert(const std::string& pem)
{
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

// "" when cert chains to ca for purpose (X509_PURPOSE_SSL_CLIENT/SERVER or -1),
// else OpenSSL's reason.
inline std::string
verify_chain(const std::string& ca_pem, const std::string& cert_pem, int purpose = -1)
{
  auto ca = load_cert(ca_pem);
  auto cert = load_cert(cert_pem);
  if (!ca || !cert) {
    return "unparseable certificate";
  }
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert.get(), nullptr);
  if (purpose > 0) {
    X509_STORE_CTX_set_purpose(ctx, purpose);
  }
  const int ok = X509_verify_cert(ctx);
  std::string reason = ok == 1 ? "" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return reason;
}

inline std::vector<std::string>
san_entries(X509* cert)
{
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) {
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                                         static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName))));
    } else if (name->type == GEN_IPADD) {
      char* text = i2s_ASN1_OCTET_STRING(nullptr, name->d.iPAddress);
      // i2s gives hex bytes; format IPv4 ourselves for readability.
      const auto* data = ASN1_STRING_get0_data(name->d.iPAddress);
      if (ASN1_STRING_length(name->d.iPAddress) == 4) {
        out.push_back("IP:" + std::to_string(data[0]) + "." + std::to_string(data[1]) + "." + std::to_string(data[2]) +
                      "." + std::to_string(data[3]));
      } else {
        out.push_back(std::string("IP6:") + text);
      }
      OPENSSL_free(text);
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

inline std::string
subject_line(X509* cert)
{
  char buffer[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buffer, sizeof(buffer));
  return buffer;
}

} // namespace ocne::test
