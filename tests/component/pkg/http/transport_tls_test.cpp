#include "pkg/http/transport.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls.hpp"

#include <gtest/gtest.h>

namespace ocne::http {
namespace {

class TransportTlsTest : public test::TempDirTest
{
protected:
  void
  start(bool require_client_cert)
  {
    ca = test::make_test_ca();
    const auto server_cert = test::make_test_cert(ca, "127.0.0.1", { "IP:127.0.0.1", "DNS:localhost" });
    const auto cert_file = write("server.crt", server_cert.cert_pem);
    const auto key_file = write("server.key", server_cert.key_pem, 0600);
    const auto ca_file = write("ca.crt", ca.cert_pem);
    server = std::make_unique<test::TestHttpServer>(
      cert_file.string(), key_file.string(), require_client_cert ? ca_file.string() : "");
    server->routes().Get(
      "/who", [](const httplib::Request&, httplib::Response& res) { res.set_content("tls ok", "text/plain"); });
    server->start();
  }

  test::TestCert ca;
  std::unique_ptr<test::TestHttpServer> server;
};

TEST_F(TransportTlsTest, TrustsTheGivenCa)
{
  start(false);
  TransportOptions o;
  o.tls.ca_pem = ca.cert_pem;
  const Transport t(o);
  const auto r = t.send({ .method = "GET", .url = server->url() + "/who" });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "tls ok");
}

TEST_F(TransportTlsTest, RejectsAServerSignedByAnotherCa)
{
  start(false);
  TransportOptions o;
  o.tls.ca_pem = test::make_test_ca("someone else").cert_pem;
  const Transport t(o);
  const auto r = t.send({ .method = "GET", .url = server->url() + "/who" });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::auth);
  EXPECT_NE(r.error().message().find("TLS verification failed"), std::string::npos) << r.error().message();
}

TEST_F(TransportTlsTest, InsecureSkipVerifyOnlyWhenAsked)
{
  start(false);
  TransportOptions o;
  o.tls.insecure_skip_verify = true;
  const Transport t(o);
  EXPECT_TRUE(t.send({ .method = "GET", .url = server->url() + "/who" }));
}

TEST_F(TransportTlsTest, PresentsAClientCertificate)
{
  start(true);
  const auto client = test::make_test_cert(ca, "admin", {}, true, "system:masters");
  TransportOptions o;
  o.tls.ca_pem = ca.cert_pem;
  o.retry.max_attempts = 1;
  {
    const Transport anonymous(o);
    EXPECT_FALSE(anonymous.send({ .method = "GET", .url = server->url() + "/who" }));
  }
  o.tls.client_cert_pem = client.cert_pem;
  o.tls.client_key_pem = Secret(client.key_pem);
  const Transport t(o);
  const auto r = t.send({ .method = "GET", .url = server->url() + "/who" });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "tls ok");
}

} // namespace
} // namespace ocne::http
