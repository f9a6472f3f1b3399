// The OCI test server's own contract: it accepts what OCI accepts and
// refuses, with 401, what OCI refuses.

#include "pkg/http/transport.hpp"
#include "pkg/oci/signer.hpp"
#include "tests/servers/oci/auth.hpp"
#include "tests/servers/oci/oci_test_server.hpp"
#include "tests/servers/oci/test_keys.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <ctime>
#include <fstream>
#include <sstream>

namespace ocne::test::oci {
namespace {

std::string
read_text(const std::filesystem::path& p)
{
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::chrono::system_clock::time_point
vector_time()
{
  std::tm tm{};
  ::strptime("05 Jan 2014 21:31:40", "%d %b %Y %H:%M:%S", &tm);
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

IncomingRequest
from_vector(const nlohmann::json& v)
{
  IncomingRequest r;
  r.method = v["method"];
  r.target = v["request_target"].get<std::string>().substr(r.method.size() + 1);
  r.headers.emplace("Host", v["host"]);
  r.headers.emplace("Authorization", v["authorization"]);
  for (const auto& [k, val] : v["request_headers"].items()) {
    r.headers.emplace(k, val);
  }
  r.body_exempt = r.method == "PUT" && v["signed_headers"].size() == 3;
  if (v["body"].is_string() && !r.body_exempt) {
    r.body_sha256 = v["request_headers"].value("x-content-sha256", std::string());
  }
  return r;
}

class VerifierTest : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED();
    load_vectors();
  }
  void
  load_vectors()
  {
    const auto dir = shared_path("testdata/oci-signing");
    vectors = nlohmann::json::parse(read_text(dir / "vectors.json"));
    verifier.add_api_key(vectors["key"]["key_id"], read_text(dir / "sample_key_public.pem"));
  }
  nlohmann::json vectors;
  SignatureVerifier verifier;
};

// ../shared/testdata/oci-signing/README.md: "9 request vectors" (2 published,
// 7 derived). Counted so an empty or truncated list cannot pass.
constexpr std::size_t k_vector_count = 9;

TEST_F(VerifierTest, AcceptsEveryPublishedAndDerivedVector)
{
  ASSERT_EQ(vectors["vectors"].size(), k_vector_count);
  std::size_t accepted = 0;
  for (const auto& v : vectors["vectors"]) {
    SCOPED_TRACE(v["id"].get<std::string>());
    const auto r = verifier.verify(from_vector(v), vector_time());
    EXPECT_TRUE(r.ok) << r.reason;
    accepted += r.ok ? 1 : 0;
  }
  EXPECT_EQ(accepted, k_vector_count);
}

TEST_F(VerifierTest, RefusesASignatureOffByOneByte)
{
  ASSERT_EQ(vectors["vectors"].size(), k_vector_count);
  for (const auto& v : vectors["vectors"]) {
    SCOPED_TRACE(v["id"].get<std::string>());
    auto req = from_vector(v);
    // Flip one byte of the raw signature and re-encode it.
    auto auth = v["authorization"].get<std::string>();
    const auto sig_at = auth.find("signature=\"") + 11;
    const auto sig_end = auth.find('"', sig_at);
    std::string sig = auth.substr(sig_at, sig_end - sig_at);
    std::string raw(sig.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                  reinterpret_cast<const unsigned char*>(sig.data()),
                                  static_cast<int>(sig.size()));
    raw.resize(static_cast<std::size_t>(n) - (sig.size() - sig.find_last_not_of('=') - 1));
    raw[raw.size() / 2] = static_cast<char>(raw[raw.size() / 2] ^ 0x01);
    std::string enc(4 * ((raw.size() + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(enc.data()),
                    reinterpret_cast<const unsigned char*>(raw.data()),
                    static_cast<int>(raw.size()));
    auth.replace(sig_at, sig_end - sig_at, enc);
    req.headers.erase("Authorization");
    req.headers.emplace("Authorization", auth);
    const auto r = verifier.verify(req, vector_time());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.reason, "signature does not verify");
  }
}

TEST_F(VerifierTest, RefusesChangedRequestsAndBadParameters)
{
  const auto& get = vectors["vectors"][0];
  const auto& post = vectors["vectors"][1];

  auto r = from_vector(get);
  r.target += "&x=1";
  EXPECT_EQ(verifier.verify(r, vector_time()).reason, "signature does not verify");

  r = from_vector(get);
  r.headers.erase("Host");
  r.headers.emplace("Host", "iaas.us-phoenix-1.oraclecloud.com:443");
  EXPECT_EQ(verifier.verify(r, vector_time()).reason, "signature does not verify");

  r = from_vector(get);
  EXPECT_EQ(verifier.verify(r, vector_time() + std::chrono::seconds(301)).reason,
            "date is 301 s away from the server clock");
  EXPECT_TRUE(verifier.verify(r, vector_time() - std::chrono::seconds(299)).ok);

  r = from_vector(post);
  r.body_sha256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  EXPECT_EQ(verifier.verify(r, vector_time()).reason, "x-content-sha256 does not match the body");

  // A POST signed like a GET lacks the body headers.
  r = from_vector(get);
  r.method = "POST";
  EXPECT_EQ(verifier.verify(r, vector_time()).reason, "header content-length is not signed");

  r = from_vector(get);
  r.headers.erase("Authorization");
  EXPECT_EQ(verifier.verify(r, vector_time()).reason, "no Authorization header");

  r = from_vector(get);
  auto auth = get["authorization"].get<std::string>();
  r.headers.erase("Authorization");
  r.headers.emplace("Authorization", auth.replace(auth.find("20:3b"), 5, "20:3c"));
  EXPECT_EQ(verifier.verify(r, vector_time()).reason, "unknown keyId");
}

TEST(SignatureParamsTest, AnyOrderAndMalformed)
{
  auto p =
    parse_signature_params(R"(Signature algorithm="rsa-sha256",headers="date",keyId="k",signature="s",version="1")");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->at("keyId"), "k");
  EXPECT_EQ(p->at("version"), "1");
  EXPECT_FALSE(parse_signature_params(R"(Bearer x)"));
  EXPECT_FALSE(parse_signature_params(R"(Signature keyId="a",keyId="b")"));
  EXPECT_FALSE(parse_signature_params(R"(Signature keyId=a)"));
}

// Over HTTP: what the server answers unsigned and badly signed requests.
class ServerHttpTest : public ::ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    ServerOptions so;
    so.storage_dir = dir() / "data";
    server = std::make_unique<OciTestServer>(so);
    key_id = so.tenancy + "/ocid1.user.oc1..u/" + shared_test_key().fingerprint;
    server->add_api_key(key_id, shared_test_key().public_pem);
    server->start();
    auto s = ocne::oci::Signer::from_api_key(Secret(shared_test_key().private_pem),
                                             Secret(),
                                             { so.tenancy, "ocid1.user.oc1..u", shared_test_key().fingerprint },
                                             "test key");
    signer.emplace(*s);
  }

  http::Response
  send(http::Request req, bool sign = true, std::function<void(http::Request&)> tamper = {})
  {
    const auto mode = ocne::oci::BodySigning::standard;
    if (sign) {
      EXPECT_TRUE(signer->prepare(req, mode));
      EXPECT_TRUE(signer->sign(req, mode, std::chrono::system_clock::now()));
    }
    if (tamper) {
      tamper(req);
    }
    http::TransportOptions o;
    o.retry.max_attempts = 1;
    http::Transport t(o);
    return t.send(std::move(req)).value();
  }

  std::unique_ptr<OciTestServer> server;
  std::string key_id;
  std::optional<ocne::oci::Signer> signer;
};

TEST_F(ServerHttpTest, UnsignedAndTamperedRequestsGet401)
{
  auto r = send({ .method = "GET", .url = server->url() + "/n" });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "\"ocnetestns\"");
  EXPECT_TRUE(r.header("opc-request-id"));

  r = send({ .method = "GET", .url = server->url() + "/n" }, false);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(nlohmann::json::parse(r.body)["code"], "NotAuthenticated");

  r = send({ .method = "GET", .url = server->url() + "/n" }, true, [](http::Request& q) {
    auto a = *q.headers.get("authorization");
    const auto at = a.find("signature=\"") + 11;
    a[at] = a[at] == 'A' ? 'B' : 'A';
    q.headers.set("authorization", a);
  });
  EXPECT_EQ(r.status, 401);

  http::Request post{ .method = "POST", .url = server->url() + "/n/ocnetestns/b" };
  post.body = R"({"name":"x","compartmentId":"c"})";
  r = send(post, true, [](http::Request& q) { q.body = R"({"name":"y","compartmentId":"c"})"; });
  EXPECT_EQ(r.status, 401);
  ASSERT_EQ(server->auth_failures().size(), 3u);
  EXPECT_EQ(server->auth_failures()[0], "GET /n: no Authorization header");
  EXPECT_EQ(server->auth_failures()[1], "GET /n: signature does not verify");
  EXPECT_EQ(server->auth_failures()[2], "POST /n/ocnetestns/b: x-content-sha256 does not match the body");
}

TEST_F(ServerHttpTest, ObjectPutMaySkipBodyHeadersButJsonMayNot)
{
  server->add_bucket(server->options().tenancy, "b");
  http::Request put{ .method = "PUT", .url = server->url() + "/n/ocnetestns/b/b/o/obj" };
  put.body = "hello";
  ASSERT_TRUE(signer->sign(put, ocne::oci::BodySigning::exclude_body, std::chrono::system_clock::now()));
  http::TransportOptions o;
  o.retry.max_attempts = 1;
  http::Transport t(o);
  auto r = t.send(put).value();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("opc-content-md5"), "XUFAKrxLKna5cZ2REBfFkg==");

  http::Request create{ .method = "POST", .url = server->url() + "/n/ocnetestns/b" };
  create.body = R"({"name":"x","compartmentId":"c"})";
  create.headers.set("content-type", "application/json");
  ASSERT_TRUE(signer->sign(create, ocne::oci::BodySigning::exclude_body, std::chrono::system_clock::now()));
  r = t.send(create).value();
  EXPECT_EQ(r.status, 401);
}

} // namespace
} // namespace ocne::test::oci
