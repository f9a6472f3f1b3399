#include "pkg/oci/client.hpp"

#include "pkg/core/log.hpp"
#include "pkg/oci/object_storage.hpp"
#include "tests/component/pkg/oci/oci_fixture.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/tls.hpp"

#include <gtest/gtest.h>

namespace ocne::oci {
namespace {

using ::ocne::test::Fault;

class ClientTest : public test::OciServerTest
{};

TEST_F(ClientTest, SignedRequestsPass)
{
  ObjectStorage os(*client);
  auto ns = os.get_namespace();
  ASSERT_TRUE(ns) << ns.error().message();
  EXPECT_EQ(*ns, "ocnetestns");
  EXPECT_TRUE(server->auth_failures().empty());
}

TEST_F(ClientTest, ErrorsShowCodeMessageAndRequestId)
{
  ObjectStorage os(*client);
  auto created = os.create_bucket("ocnetestns", "ocid1.compartment.oc1..missing", "b1");
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind(), ErrorKind::not_found);
  const auto& m = created.error().message();
  EXPECT_EQ(m.rfind("create bucket 'b1': HTTP 404 NotAuthorizedOrNotFound: compartment ocid1.compartment.oc1..missing "
                    "not found (opc-request-id ",
                    0),
            0u)
    << m;
  EXPECT_EQ(m.back(), ')');
}

TEST_F(ClientTest, UnknownKeyGives401WithFingerprintHint)
{
  // A key the server does not know, presented with the fingerprint of the
  // one it does: what a wrong key_file looks like.
  const auto other = ::ocne::test::oci::make_test_key();
  const auto bad = make_client(other.private_pem, ::ocne::test::oci::shared_test_key().fingerprint);
  ObjectStorage os(*bad);
  auto ns = os.get_namespace();
  ASSERT_FALSE(ns);
  EXPECT_EQ(ns.error().kind(), ErrorKind::auth);
  const auto& m = ns.error().message();
  EXPECT_NE(m.find("get the Object Storage namespace: HTTP 401 NotAuthenticated: The required information to complete "
                   "authentication was not provided or was incorrect. (opc-request-id "),
            std::string::npos)
    << m;
  EXPECT_NE(m.find("; the configured fingerprint " + ::ocne::test::oci::shared_test_key().fingerprint +
                   " does not match key file test.pem (its fingerprint is " + other.fingerprint +
                   "): fix fingerprint or key_file in the OCI config"),
            std::string::npos)
    << m;
  ASSERT_EQ(server->auth_failures().size(), 1u);
  EXPECT_EQ(server->auth_failures()[0], "GET /n: signature does not verify");
}

TEST_F(ClientTest, StaleClockIsRefused)
{
  server->set_clock_offset(std::chrono::seconds(600));
  ObjectStorage os(*client);
  auto ns = os.get_namespace();
  ASSERT_FALSE(ns);
  EXPECT_EQ(ns.error().kind(), ErrorKind::auth);
  ASSERT_EQ(server->auth_failures().size(), 1u);
  // The Date header has whole seconds: a second that ends between signing and checking adds one.
  const auto failure = server->auth_failures()[0];
  EXPECT_TRUE(failure == "GET /n: date is 600 s away from the server clock" ||
              failure == "GET /n: date is 601 s away from the server clock")
    << failure;
  server->set_clock_offset(std::chrono::seconds(240)); // within 5 minutes
  EXPECT_TRUE(os.get_namespace());
}

TEST_F(ClientTest, RetriesHonourRetryAfterAndLogRequestIds)
{
  server->faults().fail_next(1,
                             Fault{ .kind = Fault::Kind::status,
                                    .status = 429,
                                    .retry_after = 1,
                                    .body = R"({"code":"TooManyRequests","message":"slow down"})" });
  log::Capture capture;
  log::set_level(log::Level::debug);
  ::ocne::test::FakeClock clock;
  auto transport = test::fast_transport();
  transport.clock = &clock;
  const auto& key = ::ocne::test::oci::shared_test_key();
  const auto timed = make_client(key.private_pem, key.fingerprint, transport);
  ObjectStorage os(*timed);
  auto ns = os.get_namespace();
  ASSERT_TRUE(ns) << ns.error().message();
  EXPECT_EQ(clock.sleeps(), std::vector<std::chrono::milliseconds>{ std::chrono::seconds(1) });
  const auto text = capture.text();
  EXPECT_NE(text.find("answered 429; retrying in 1000 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("-> 200"), std::string::npos) << text;
  EXPECT_NE(text.find("opc-request-id="), std::string::npos) << text;
}

TEST_F(ClientTest, ServerErrorsAreRetriedThenReported)
{
  server->faults().fail_next(10, Fault{ .kind = Fault::Kind::status, .status = 503, .retry_after = 0 });
  ObjectStorage os(*client);
  auto ns = os.get_namespace();
  ASSERT_FALSE(ns);
  EXPECT_EQ(ns.error().kind(), ErrorKind::transient);
  EXPECT_EQ(ns.error().message(), "get the Object Storage namespace: HTTP 503 ServiceUnavailable: injected fault");
  EXPECT_EQ(server->faults().injected(), 6);
}

} // namespace
} // namespace ocne::oci

namespace ocne::oci {
namespace {

class ClientTlsTest : public ::ocne::test::TempDirTest
{};

TEST_F(ClientTlsTest, HttpsAndSessionTokens)
{
  const auto ca = ::ocne::test::make_test_ca();
  const auto cert = ::ocne::test::make_test_cert(ca, "127.0.0.1", { "IP:127.0.0.1" });
  ::ocne::test::oci::ServerOptions so;
  so.cert_file = write("server.crt", cert.cert_pem).string();
  so.key_file = write("server.key", cert.key_pem, 0600).string();
  ::ocne::test::oci::OciTestServer server(so);
  const auto& key = ::ocne::test::oci::shared_test_key();
  server.add_session_token("session-token-value", key.public_pem);
  server.start();
  ASSERT_EQ(server.url().rfind("https://127.0.0.1:", 0), 0u);

  auto signer =
    Signer::from_session_token(Secret(key.private_pem), Secret(), Secret("session-token-value\n"), "session key");
  ASSERT_TRUE(signer);
  auto transport = test::fast_transport();
  transport.tls.ca_pem = ca.cert_pem;
  const Client client(*signer, Endpoints{ server.url(), server.url(), server.url() }, transport);
  auto ns = ObjectStorage(client).get_namespace();
  ASSERT_TRUE(ns) << ns.error().message();
  EXPECT_EQ(*ns, "ocnetestns");

  // Without the CA the server is not trusted.
  const Client untrusting(*signer, Endpoints{ server.url(), server.url(), server.url() }, test::fast_transport());
  auto refused = ObjectStorage(untrusting).get_namespace();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind(), ErrorKind::auth);

  // An expired token: 401 with the session hint.
  auto stale = Signer::from_session_token(Secret(key.private_pem), Secret(), Secret("old-token"), "session key");
  const Client old(*stale, Endpoints{ server.url(), server.url(), server.url() }, transport);
  auto denied = ObjectStorage(old).get_namespace();
  ASSERT_FALSE(denied);
  EXPECT_NE(denied.error().message().find("; the session token may have expired: refresh it (oci session refresh) "
                                          "and check the system clock"),
            std::string::npos)
    << denied.error().message();
}

} // namespace
} // namespace ocne::oci
