#include "pkg/pki/certificate.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/pki/keys.hpp"
#include "pkg/pki/ossl.hpp"

#include <openssl/rand.h>

#include <arpa/inet.h>

namespace ocne::pki {

using namespace detail;

bool
is_ip_address(std::string_view text)
{
  const std::string s(text);
  unsigned char buffer[16];
  return inet_pton(AF_INET, s.c_str(), buffer) == 1 || inet_pton(AF_INET6, s.c_str(), buffer) == 1;
}

namespace {

Status
add_name_entry(X509_NAME* name, const char* field, const std::string& value)
{
  if (value.empty()) {
    return {};
  }
  if (X509_NAME_add_entry_by_txt(name,
                                 field,
                                 MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()),
                                 -1,
                                 0) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::invalid_input, fmt::format("cannot set {}={}", field, value)));
  }
  return {};
}

Status
set_subject(X509* cert, const Subject& subject)
{
  X509_NAME* name = X509_get_subject_name(cert);
  OCNE_TRY(add_name_entry(name, "C", subject.country));
  OCNE_TRY(add_name_entry(name, "ST", subject.state));
  for (const auto& org : subject.organizations) {
    OCNE_TRY(add_name_entry(name, "O", org));
  }
  OCNE_TRY(add_name_entry(name, "OU", subject.organizational_unit));
  OCNE_TRY(add_name_entry(name, "CN", subject.common_name));
  return {};
}

Status
set_random_serial(X509* cert)
{
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "the random number generator failed"));
  }
  bytes[0] &= 0x7f; // positive
  bytes[0] |= 0x01; // never zero
  BigNum bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot set the serial number"));
  }
  return {};
}

Status
set_validity(X509* cert, std::chrono::hours validity)
{
  // Back-dated a little so a node whose clock lags the host accepts it.
  constexpr long k_skew = 5 * 60;
  const long seconds = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(validity).count());
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -k_skew) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert), seconds) == nullptr) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot set the validity period"));
  }
  return {};
}

Status
add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value)
{
  X509Ext ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return tl::unexpected(
      openssl_error(ErrorKind::internal, fmt::format("cannot add extension {} = {}", OBJ_nid2sn(nid), value)));
  }
  return {};
}

Result<PKey>
new_key(int bits)
{
  OCNE_TRY_ASSIGN(auto pem, make_rsa_key(bits));
  PKey key = parse_private_key(pem.reveal());
  if (!key) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot read back a new key"));
  }
  return key;
}

Result<CertKey>
finish(X509* cert, EVP_PKEY* signer, EVP_PKEY* key)
{
  if (X509_sign(cert, signer, EVP_sha256()) == 0) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot sign the certificate"));
  }
  CertKey out{ certificate_pem(cert), Secret(private_key_pem(key)) };
  if (out.cert_pem.empty() || out.key_pem.empty()) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot encode the certificate"));
  }
  return out;
}

} // namespace

Result<CertKey>
make_ca(const CaOptions& options)
{
  if (options.subject.common_name.empty()) {
    return make_error(ErrorKind::invalid_input, "a CA needs a common name");
  }
  OCNE_TRY_ASSIGN(auto key, new_key(options.key_bits));
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot create a certificate"));
  }
  OCNE_TRY(set_random_serial(cert.get()));
  OCNE_TRY(set_validity(cert.get(), options.validity));
  OCNE_TRY(set_subject(cert.get(), options.subject));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot set the issuer"));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  OCNE_TRY(add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
  OCNE_TRY(
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign"));
  OCNE_TRY(add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  return finish(cert.get(), key.get(), key.get());
}

Result<CertKey>
issue_certificate(const CertKey& ca, const CertOptions& options)
{
  if (options.subject.common_name.empty()) {
    return make_error(ErrorKind::invalid_input, "a certificate needs a common name");
  }
  for (const auto& ip : options.ip_addresses) {
    if (!is_ip_address(ip)) {
      return make_error(ErrorKind::invalid_input,
                        "{} is not an IP address (certificate '{}')",
                        str::quote(ip),
                        options.subject.common_name);
    }
  }
  for (const auto& dns : options.dns_names) {
    if (dns.empty() || dns.find_first_of(", \t") != std::string::npos) {
      return make_error(ErrorKind::invalid_input,
                        "{} is not a DNS name (certificate '{}')",
                        str::quote(dns),
                        options.subject.common_name);
    }
  }
  X509Ptr ca_cert = parse_certificate(ca.cert_pem);
  PKey ca_key = parse_private_key(ca.key_pem.reveal());
  if (!ca_cert || !ca_key) {
    return tl::unexpected(openssl_error(ErrorKind::invalid_input, "cannot parse the CA certificate or key"));
  }
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    return make_error(ErrorKind::invalid_input, "the CA key does not match the CA certificate");
  }
  OCNE_TRY_ASSIGN(auto key, new_key(options.key_bits));
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot create a certificate"));
  }
  OCNE_TRY(set_random_serial(cert.get()));
  OCNE_TRY(set_validity(cert.get(), options.validity));
  OCNE_TRY(set_subject(cert.get(), options.subject));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot set the issuer"));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca_cert.get(), cert.get(), nullptr, nullptr, 0);
  OCNE_TRY(add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  OCNE_TRY(add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  std::vector<std::string> usages;
  if (options.server_auth) {
    usages.emplace_back("serverAuth");
  }
  if (options.client_auth) {
    usages.emplace_back("clientAuth");
  }
  if (!usages.empty()) {
    OCNE_TRY(add_extension(cert.get(), &ctx, NID_ext_key_usage, str::join(usages, ",")));
  }
  OCNE_TRY(add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  std::vector<std::string> sans;
  for (const auto& dns : options.dns_names) {
    sans.push_back("DNS:" + dns);
  }
  for (const auto& ip : options.ip_addresses) {
    sans.push_back("IP:" + ip);
  }
  if (!sans.empty()) {
    OCNE_TRY(add_extension(cert.get(), &ctx, NID_subject_alt_name, str::join(sans, ",")));
  }
  return finish(cert.get(), ca_key.get(), key.get());
}

Result<std::string>
ca_cert_hash(std::string_view cert_pem)
{
  X509Ptr cert = parse_certificate(cert_pem);
  if (!cert) {
    return tl::unexpected(openssl_error(ErrorKind::invalid_input, "cannot parse the CA certificate"));
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &der);
  if (length <= 0) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot encode the CA public key"));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  const int ok = EVP_Digest(der, static_cast<std::size_t>(length), digest, &digest_length, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) {
    return tl::unexpected(openssl_error(ErrorKind::internal, "cannot hash the CA public key"));
  }
  std::string out = "sha256:";
  static constexpr char k_hex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < digest_length; ++i) {
    out.push_back(k_hex[digest[i] >> 4]);
    out.push_back(k_hex[digest[i] & 0x0f]);
  }
  return out;
}

} // namespace ocne::pki
