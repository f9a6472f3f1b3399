#include "pkg/pki/cluster_pki.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/pki/x509_inspect.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ocne::pki {
namespace {

using ::testing::Contains;
using ::testing::IsSupersetOf;

class ClusterPkiTest : public test::TempDirTest
{
protected:
  static const ClusterPki&
  pki()
  {
    // RSA key generation is the slow part; make the set once for the suite.
    static const ClusterPki value = [] {
      ClusterPkiOptions options;
      options.api_address = "192.168.122.201";
      options.extra_sans = { "10.0.0.7", "vmhost.example.com" };
      options.service_subnet = "10.96.0.0/12,fd00:96::/108";
      auto made = make_cluster_pki(options);
      EXPECT_TRUE(made) << made.error().message();
      return std::move(*made);
    }();
    return value;
  }
};

TEST_F(ClusterPkiTest, AdminCertificateChainsToTheClusterCa)
{
  EXPECT_EQ(test::verify_chain(pki().ca.cert_pem, pki().admin.cert_pem, X509_PURPOSE_SSL_CLIENT), "");
  EXPECT_EQ(test::verify_chain(pki().ca.cert_pem, pki().admin.cert_pem, X509_PURPOSE_SSL_SERVER), "");
  // and not to another CA
  EXPECT_NE(test::verify_chain(pki().etcd_ca.cert_pem, pki().admin.cert_pem), "");
}

TEST_F(ClusterPkiTest, CaHasCaConstraintsAndUsages)
{
  for (const auto* ca : { &pki().ca, &pki().etcd_ca, &pki().front_proxy_ca }) {
    auto cert = test::load_cert(ca->cert_pem);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_check_ca(cert.get()), 1);
    const auto usage = X509_get_key_usage(cert.get());
    EXPECT_TRUE(usage & KU_KEY_CERT_SIGN);
    EXPECT_TRUE(usage & KU_CRL_SIGN);
    EXPECT_TRUE(usage & KU_DIGITAL_SIGNATURE);
    // self-signed and valid for about 20 years
    EXPECT_EQ(test::verify_chain(ca->cert_pem, ca->cert_pem), "");
    int days = 0;
    int seconds = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())), 1);
    EXPECT_GT(days, 365 * 20 - 2);
    EXPECT_LT(days, 365 * 20 + 8);
  }
  EXPECT_EQ(test::subject_line(test::load_cert(pki().ca.cert_pem).get()), "/C=US/ST=TX/O=OCNE/OU=OCNE/CN=kubernetes");
}

TEST_F(ClusterPkiTest, AdminCertificateIdentityUsagesAndSans)
{
  auto cert = test::load_cert(pki().admin.cert_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(test::subject_line(cert.get()), "/C=US/ST=TX/O=system:masters/OU=OCNE/CN=kubernetes-admin");
  const auto usage = X509_get_key_usage(cert.get());
  EXPECT_TRUE(usage & KU_DIGITAL_SIGNATURE);
  EXPECT_TRUE(usage & KU_KEY_ENCIPHERMENT);
  EXPECT_FALSE(usage & KU_KEY_CERT_SIGN);
  const auto eku = X509_get_extended_key_usage(cert.get());
  EXPECT_TRUE(eku & XKU_SSL_CLIENT);
  EXPECT_TRUE(eku & XKU_SSL_SERVER);
  EXPECT_THAT(test::san_entries(cert.get()),
              IsSupersetOf({ "DNS:kubernetes",
                             "DNS:kubernetes.default.svc.cluster.local",
                             "IP:10.96.0.1",
                             "IP:192.168.122.201",
                             "IP:127.0.0.1",
                             "IP:10.0.0.7",
                             "DNS:vmhost.example.com" }));
  // the IPv6 service subnet's first address is there too
  EXPECT_THAT(test::san_entries(cert.get()), Contains(::testing::StartsWith("IP6:FD:00:00:96")));
  // about one year
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())), 1);
  EXPECT_EQ(days, 365);
}

TEST_F(ClusterPkiTest, KeysMatchCertificates)
{
  auto cert = test::load_cert(pki().admin.cert_pem);
  BIO* bio =
    BIO_new_mem_buf(pki().admin.key_pem.reveal().data(), static_cast<int>(pki().admin.key_pem.reveal().size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert.get(), key), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 2048);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_RSA);
  EVP_PKEY_free(key);
  EXPECT_NE(pki().service_account_pub.find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
}

TEST_F(ClusterPkiTest, OpensslCliVerifiesTheChain)
{
  if (!program_exists("openssl")) {
    GTEST_SKIP() << "the openssl CLI is not installed (package openssl)";
  }
  const auto ca = write("ca.crt", pki().ca.cert_pem);
  const auto admin = write("admin.crt", pki().admin.cert_pem);
  auto result =
    run_process({ .argv = { "openssl", "verify", "-CAfile", ca.string(), "-purpose", "sslclient", admin.string() } });
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exit_code, 0) << result->out << result->err;
  EXPECT_NE(result->out.find(": OK"), std::string::npos);
}

TEST_F(ClusterPkiTest, NeedsAnApiAddress)
{
  auto made = make_cluster_pki({});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().message(), "the cluster PKI needs the Kubernetes API address");
}

TEST_F(ClusterPkiTest, BadServiceSubnetIsNamed)
{
  ClusterPkiOptions options;
  options.api_address = "10.1.1.1";
  options.service_subnet = "10.96.0.0";
  auto made = make_cluster_pki(options);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().message(), "serviceSubnet: '10.96.0.0' is not a CIDR block (expected address/prefix)");
}

TEST_F(ClusterPkiTest, CustomCertificateInformation)
{
  ClusterPkiOptions options;
  options.api_address = "10.1.1.1";
  options.info = { .country = "DE", .org = "Acme", .org_unit = "Ops", .state = "BE" };
  auto made = make_cluster_pki(options);
  ASSERT_TRUE(made) << made.error().message();
  EXPECT_EQ(test::subject_line(test::load_cert(made->ca.cert_pem).get()), "/C=DE/ST=BE/O=Acme/OU=Ops/CN=kubernetes");
}

} // namespace
} // namespace ocne::pki
