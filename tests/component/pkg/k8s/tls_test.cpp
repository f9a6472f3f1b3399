#include "tests/support/tls.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/k8s/client.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::k8s {
namespace {

class KubeTlsTest : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    ca = ocne::test::make_test_ca();
    const auto cert = ocne::test::make_test_cert(ca, "127.0.0.1", { "IP:127.0.0.1" });
    const auto cert_file = write("server.crt", cert.cert_pem);
    const auto key_file = write("server.key", cert.key_pem);
    const auto ca_file = write("ca.crt", ca.cert_pem);
    server = std::make_unique<ocne::test::TestHttpServer>(cert_file.string(), key_file.string(), ca_file.string());
    server->routes().Get("/version", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"gitVersion":"v1.33.1"})", "application/json");
    });
    server->start();
  }

  ClusterAccess
  access(const std::string& ca_pem)
  {
    const auto client = ocne::test::make_test_cert(ca, "kubernetes-admin", {}, true, "system:masters");
    ClusterAccess a;
    a.server = server->url();
    a.ca_pem = ca_pem;
    a.client_cert_pem = client.cert_pem;
    a.client_key_pem = Secret(client.key_pem);
    a.context = "tls";
    a.file = dir() / "kubeconfig";
    return a;
  }

  ocne::test::TestCert ca;
  std::unique_ptr<ocne::test::TestHttpServer> server;
};

TEST_F(KubeTlsTest, ClientCertificateAndCaFromTheKubeconfig)
{
  Client client(access(ca.cert_pem));
  auto version = client.server_version();
  ASSERT_TRUE(version) << version.error().message();
  EXPECT_EQ(*version, "v1.33.1");
}

TEST_F(KubeTlsTest, AnotherCaIsAnAuthErrorNamingKubeconfigAndContext)
{
  ClientOptions options;
  options.retry.max_attempts = 1;
  Client client(access(ocne::test::make_test_ca("someone else").cert_pem), options);
  auto version = client.server_version();
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().kind(), ErrorKind::auth);
  const auto& message = version.error().message();
  EXPECT_TRUE(str::starts_with(message,
                               "connect to context \"tls\" (" + server->url() + "): GET " + server->url() +
                                 "/version: TLS verification failed: "))
    << message;
  EXPECT_TRUE(str::ends_with(message, "(kubeconfig " + (dir() / "kubeconfig").string() + ", context \"tls\")"))
    << message;
}

TEST_F(KubeTlsTest, SkipsVerificationOnlyWhenTheKubeconfigSaysSo)
{
  auto a = access(ocne::test::make_test_ca("someone else").cert_pem);
  a.insecure_skip_tls_verify = true;
  Client client(a);
  EXPECT_TRUE(client.server_version());
}

} // namespace
} // namespace ocne::k8s
