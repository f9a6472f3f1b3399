#include "pkg/pki/certificate.hpp"

#include "tests/unit/pkg/pki/x509_inspect.hpp"

#include <gtest/gtest.h>

namespace ocne::pki {
namespace {

const CertKey&
ca()
{
  static const CertKey value = *make_ca({ .subject = { .common_name = "test-ca" } });
  return value;
}

TEST(Certificate, ServerCertificateVerifiesForServerPurposeOnly)
{
  auto cert = issue_certificate(ca(),
                                { .subject = { .common_name = "api" },
                                  .dns_names = { "api.local" },
                                  .ip_addresses = { "192.0.2.1", "2001:db8::1" },
                                  .server_auth = true });
  ASSERT_TRUE(cert) << cert.error().message();
  EXPECT_EQ(test::verify_chain(ca().cert_pem, cert->cert_pem, X509_PURPOSE_SSL_SERVER), "");
  EXPECT_NE(test::verify_chain(ca().cert_pem, cert->cert_pem, X509_PURPOSE_SSL_CLIENT), "");
  auto parsed = test::load_cert(cert->cert_pem);
  EXPECT_EQ(X509_check_host(parsed.get(), "api.local", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(parsed.get(), "192.0.2.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(parsed.get(), "2001:db8::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(parsed.get(), "192.0.2.2", 0), 0);
}

TEST(Certificate, RejectsAnIpSanThatIsNotAnAddress)
{
  auto cert = issue_certificate(ca(), { .subject = { .common_name = "api" }, .ip_addresses = { "300.1.1.1" } });
  ASSERT_FALSE(cert);
  EXPECT_EQ(cert.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(cert.error().message(), "'300.1.1.1' is not an IP address (certificate 'api')");
}

TEST(Certificate, RejectsACaKeyThatDoesNotMatch)
{
  const auto other = *make_ca({ .subject = { .common_name = "other" } });
  CertKey mixed{ ca().cert_pem, other.key_pem };
  auto cert = issue_certificate(mixed, { .subject = { .common_name = "api" } });
  ASSERT_FALSE(cert);
  EXPECT_EQ(cert.error().message(), "the CA key does not match the CA certificate");
}

TEST(Certificate, RejectsGarbageCa)
{
  CertKey garbage{ "not a cert", Secret("not a key") };
  auto cert = issue_certificate(garbage, { .subject = { .common_name = "api" } });
  ASSERT_FALSE(cert);
  EXPECT_EQ(cert.error().message().rfind("cannot parse the CA certificate or key", 0), 0u);
}

TEST(Certificate, CaCertHashIsSha256OfThePublicKeyInfo)
{
  auto hash = ca_cert_hash(ca().cert_pem);
  ASSERT_TRUE(hash);
  ASSERT_EQ(hash->size(), 7u + 64u);
  EXPECT_EQ(hash->rfind("sha256:", 0), 0u);
  // Recompute independently: DER of the SubjectPublicKeyInfo, SHA-256.
  auto cert = test::load_cert(ca().cert_pem);
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
  unsigned char md[32];
  unsigned int md_len = 0;
  EVP_Digest(der, static_cast<std::size_t>(n), md, &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  char hex[65];
  for (int i = 0; i < 32; ++i) {
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
  }
  EXPECT_EQ(*hash, std::string("sha256:") + hex);
}

TEST(Certificate, CaCertHashOfGarbage)
{
  auto hash = ca_cert_hash("garbage");
  ASSERT_FALSE(hash);
  EXPECT_EQ(hash.error().message().rfind("cannot parse the CA certificate", 0), 0u);
}

} // namespace
} // namespace ocne::pki
