#include "tests/servers/kube/pki.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <memory>
#include <stdexcept>

namespace ocne::test::kube {

namespace {

template<typename T, void (*F)(T*)>
struct Free
{
  void
  operator()(T* p) const
  {
    F(p);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Free<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO, BIO_free_all>>;

[[noreturn]] void
fail(const std::string& what)
{
  char buf[256] = "unknown error";
  if (const unsigned long e = ERR_get_error(); e != 0) {
    ERR_error_string_n(e, buf, sizeof buf);
  }
  ERR_clear_error();
  throw std::runtime_error(what + ": " + buf);
}

std::string
bio_text(BIO* bio)
{
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string
cert_pem(X509* cert)
{
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(bio.get(), cert) != 1) {
    fail("cannot write a certificate");
  }
  return bio_text(bio.get());
}

std::string
key_pem(EVP_PKEY* key)
{
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("cannot write a private key");
  }
  return bio_text(bio.get());
}

KeyPtr
read_key(const std::string& pem, const std::string& what)
{
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    fail(what + " is not a PEM private key");
  }
  return key;
}

CertPtr
read_cert(const std::string& pem, const std::string& what)
{
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    fail(what + " is not a PEM certificate");
  }
  return cert;
}

void
add_ext(X509* cert, X509* issuer, int nid, const std::string& value)
{
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) {
    fail("bad certificate extension " + value);
  }
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

CertPtr
new_cert(EVP_PKEY* key, const std::string& cn, const std::vector<std::string>& orgs, long days)
{
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& org : orgs) {
    X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

void
sign(X509* cert, EVP_PKEY* key)
{
  const int id = EVP_PKEY_get_id(key);
  const EVP_MD* md = (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) ? nullptr : EVP_sha256();
  if (X509_sign(cert, key, md) <= 0) {
    fail("cannot sign a certificate");
  }
}

KeyPtr
new_key()
{
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    fail("cannot generate a key");
  }
  return key;
}

} // namespace

std::string
normalize_san(const std::string& san)
{
  if (san.rfind("IP:", 0) == 0 || san.rfind("DNS:", 0) == 0) {
    return san;
  }
  unsigned char buf[16];
  if (inet_pton(AF_INET, san.c_str(), buf) == 1 || inet_pton(AF_INET6, san.c_str(), buf) == 1) {
    return "IP:" + san;
  }
  return "DNS:" + san;
}

CertKey
make_ca(const std::string& common_name)
{
  auto key = new_key();
  auto cert = new_cert(key.get(), common_name, {}, 3650);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  sign(cert.get(), key.get());
  return { cert_pem(cert.get()), key_pem(key.get()) };
}

CertKey
issue_cert(const CertKey& ca,
           const std::string& common_name,
           const std::vector<std::string>& organizations,
           const std::vector<std::string>& sans,
           bool client_auth,
           bool server_auth)
{
  auto ca_cert = read_cert(ca.cert_pem, "the CA certificate");
  auto ca_key = read_key(ca.key_pem, "the CA key");
  auto key = new_key();
  auto cert = new_cert(key.get(), common_name, organizations, 365);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  add_ext(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  std::string eku;
  if (server_auth) {
    eku = "serverAuth";
  }
  if (client_auth) {
    eku += std::string(eku.empty() ? "" : ",") + "clientAuth";
  }
  if (!eku.empty()) {
    add_ext(cert.get(), ca_cert.get(), NID_ext_key_usage, eku);
  }
  if (!sans.empty()) {
    std::string list;
    for (const auto& s : sans) {
      list += (list.empty() ? "" : ",") + normalize_san(s);
    }
    add_ext(cert.get(), ca_cert.get(), NID_subject_alt_name, list);
  }
  sign(cert.get(), ca_key.get());
  return { cert_pem(cert.get()), key_pem(key.get()) };
}

void
check_key_matches(const std::string& cert_pem_text, const std::string& key_pem_text, const std::string& what)
{
  auto cert = read_cert(cert_pem_text, what + " certificate");
  auto key = read_key(key_pem_text, what + " key");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error(what + " key does not match its certificate");
  }
}

} // namespace ocne::test::kube
