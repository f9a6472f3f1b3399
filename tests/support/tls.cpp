#include "tests/support/tls.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace ocne::test {

namespace {

template<typename T, void (*F)(T*)>
struct Deleter
{
  void
  operator()(T* p) const
  {
    F(p);
  }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void
check(bool ok, const char* what)
{
  if (!ok) {
    throw std::runtime_error(std::string("openssl: ") + what);
  }
}

std::string
to_pem(X509* cert)
{
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "write cert");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string
to_pem(EVP_PKEY* key)
{
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "write key");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Key
parse_key(const std::string& pem)
{
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "read key");
  return key;
}

Cert
parse_cert(const std::string& pem)
{
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  check(cert != nullptr, "read cert");
  return cert;
}

void
add_ext(X509* cert, X509* issuer, int nid, const std::string& value)
{
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

Cert
new_cert(EVP_PKEY* key, const std::string& cn, const std::string& org, long serial)
{
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 30);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!org.empty()) {
    X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

long
next_serial()
{
  static long serial = 1000;
  return ++serial;
}

} // namespace

TestCert
make_test_ca(const std::string& common_name)
{
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "keygen");
  auto cert = new_cert(key.get(), common_name, "", next_serial());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign CA");
  return { to_pem(cert.get()), to_pem(key.get()) };
}

TestCert
make_test_cert(const TestCert& ca,
               const std::string& common_name,
               const std::vector<std::string>& sans,
               bool client,
               const std::string& organization)
{
  const auto ca_cert = parse_cert(ca.cert_pem);
  const auto ca_key = parse_key(ca.key_pem);
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "keygen");
  auto cert = new_cert(key.get(), common_name, organization, next_serial());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  add_ext(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_ext(cert.get(), ca_cert.get(), NID_ext_key_usage, client ? "clientAuth" : "serverAuth");
  if (!sans.empty()) {
    std::string list;
    for (const auto& s : sans) {
      list += (list.empty() ? "" : ",") + s;
    }
    add_ext(cert.get(), ca_cert.get(), NID_subject_alt_name, list);
  }
  check(X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0, "sign cert");
  return { to_pem(cert.get()), to_pem(key.get()) };
}

} // namespace ocne::test
