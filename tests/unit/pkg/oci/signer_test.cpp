#include "pkg/oci/signer.hpp"

#include "pkg/oci/digest.hpp"
#include "tests/unit/pkg/oci/signing_vectors.hpp"

#include <gtest/gtest.h>

namespace ocne::oci {
namespace {

using test::read_text;
using test::signing_dir;
using test::signing_vectors;

Signer
vector_signer(const std::string& key_file, const std::string& pass = "")
{
  const auto v = signing_vectors();
  ApiKeyId id{ v["key"]["tenancy"], v["key"]["user"], v["key"]["fingerprint_in_keyId"] };
  auto s = Signer::from_api_key(Secret(read_text(signing_dir() / key_file)), Secret(pass), id, "key file " + key_file);
  if (!s) {
    throw std::runtime_error(s.error().message());
  }
  return *s;
}

// Builds the request a vector describes and signs it like the client does.
http::Request
signed_request(const Signer& signer, const nlohmann::json& v)
{
  http::Request req;
  req.method = v["method"];
  req.url = v["url"];
  const bool excluded = v["signed_headers"].size() == 3 && req.method == "PUT";
  if (v["body"].is_string() && !excluded) {
    req.body = v["body"];
  }
  for (const auto& [name, value] : v["request_headers"].items()) {
    if (name == "content-type") {
      req.headers.set("Content-Type", value);
    }
  }
  const auto mode = excluded ? BodySigning::exclude_body : BodySigning::standard;
  auto prepared = signer.prepare(req, mode);
  EXPECT_TRUE(prepared) << prepared.error().message();
  auto signed_ok = signer.sign(req, mode, v["request_headers"]["date"].get<std::string>());
  EXPECT_TRUE(signed_ok) << signed_ok.error().message();
  return req;
}

TEST(SignerTest, EveryVectorMatchesByteForByte)
{
  OCNE_REQUIRE_SHARED();
  const auto vectors = signing_vectors();
  const auto signer = vector_signer("sample_key_pkcs1.pem");
  ASSERT_GE(vectors["vectors"].size(), 9u);
  for (const auto& v : vectors["vectors"]) {
    SCOPED_TRACE(v["id"].get<std::string>());
    const auto req = signed_request(signer, v);
    EXPECT_EQ(req.headers.get("authorization"), v["authorization"].get<std::string>());
    EXPECT_EQ(req.headers.get("host"), v["host"].get<std::string>());
    EXPECT_EQ(req.headers.get("date"), v["request_headers"]["date"].get<std::string>());
    for (const auto& name : { "content-length", "x-content-sha256", "content-type" }) {
      if (v["request_headers"].contains(name) && v["signed_headers"].size() == 6) {
        EXPECT_EQ(req.headers.get(name), v["request_headers"][name].get<std::string>()) << name;
      }
    }
    // The signing string itself, through the lower-level entry point.
    std::vector<std::pair<std::string, std::string>> lines;
    for (const auto& name : v["signed_headers"]) {
      const std::string n = name;
      lines.emplace_back(n, n == "(request-target)" ? v["request_target"].get<std::string>() : *req.headers.get(n));
    }
    auto parts = signer.sign_lines(lines);
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->signing_string, v["signing_string"].get<std::string>());
    EXPECT_EQ(parts->signature, v["signature"].get<std::string>());
  }
}

TEST(SignerTest, AllKeyFormsGiveTheSameSignature)
{
  OCNE_REQUIRE_SHARED();
  const auto v = signing_vectors()["vectors"][1];
  const auto expected = v["authorization"].get<std::string>();
  for (const auto& [file, pass] : std::vector<std::pair<std::string, std::string>>{
         { "sample_key_pkcs1.pem", "" },
         { "sample_key_pkcs8.pem", "" },
         { "sample_key_pkcs1_aes128_encrypted.pem", "oci-test-passphrase" },
         { "sample_key_pkcs8_aes256_encrypted.pem", "oci-test-passphrase" },
       }) {
    SCOPED_TRACE(file);
    const auto req = signed_request(vector_signer(file, pass), v);
    EXPECT_EQ(req.headers.get("authorization"), expected);
  }
}

TEST(SignerTest, HeaderNameCaseDoesNotMatter)
{
  OCNE_REQUIRE_SHARED();
  const auto signer = vector_signer("sample_key_pkcs1.pem");
  auto lower = signer.sign_lines({ { "date", "x" }, { "content-type", "application/json" } });
  auto mixed = signer.sign_lines({ { "Date", "x" }, { "Content-Type", "application/json" } });
  ASSERT_TRUE(lower && mixed);
  EXPECT_EQ(lower->authorization, mixed->authorization);
  EXPECT_NE(lower->authorization.find(R"(headers="date content-type")"), std::string::npos);
}

TEST(SignerTest, SignedHeaderRules)
{
  using V = std::vector<std::string>;
  EXPECT_EQ(signed_header_names("GET", BodySigning::standard), (V{ "date", "(request-target)", "host" }));
  EXPECT_EQ(signed_header_names("HEAD", BodySigning::standard), (V{ "date", "(request-target)", "host" }));
  EXPECT_EQ(signed_header_names("DELETE", BodySigning::standard), (V{ "date", "(request-target)", "host" }));
  const V body = { "date", "(request-target)", "host", "content-length", "content-type", "x-content-sha256" };
  EXPECT_EQ(signed_header_names("POST", BodySigning::standard), body);
  EXPECT_EQ(signed_header_names("PUT", BodySigning::standard), body);
  EXPECT_EQ(signed_header_names("PATCH", BodySigning::standard), body);
  EXPECT_EQ(signed_header_names("PUT", BodySigning::exclude_body), (V{ "date", "(request-target)", "host" }));
}

TEST(SignerTest, EmptyBodyPostSignsZeroLength)
{
  OCNE_REQUIRE_SHARED();
  const auto signer = vector_signer("sample_key_pkcs1.pem");
  http::Request req{ .method = "POST", .url = "http://127.0.0.1:8080/20160918/x" };
  ASSERT_TRUE(signer.prepare(req, BodySigning::standard));
  ASSERT_TRUE(signer.sign(req, BodySigning::standard, std::chrono::system_clock::from_time_t(0)));
  EXPECT_EQ(req.headers.get("content-length"), "0");
  EXPECT_EQ(req.headers.get("x-content-sha256"), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(req.headers.get("host"), "127.0.0.1:8080");
  EXPECT_EQ(req.headers.get("date"), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http_date(std::chrono::system_clock::from_time_t(1388957500)), "Sun, 05 Jan 2014 21:31:40 GMT");
}

TEST(SignerTest, StreamedBodyNeedsExcludeMode)
{
  OCNE_REQUIRE_SHARED();
  const auto signer = vector_signer("sample_key_pkcs1.pem");
  http::Request req{ .method = "PUT", .url = "http://127.0.0.1:1/n/ns/b/b/o/x" };
  req.body_source = http::memory_body("abc");
  auto r = signer.prepare(req, BodySigning::standard);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "PUT http://127.0.0.1:1/n/ns/b/b/o/x: a streamed body cannot be signed; use BodySigning::exclude_body");
}

TEST(SignerTest, KeyFingerprintAndHint)
{
  OCNE_REQUIRE_SHARED();
  const auto signer = vector_signer("sample_key_pkcs8.pem");
  EXPECT_EQ(signer.key_fingerprint(), signing_vectors()["key"]["md5_fingerprint_of_this_key"].get<std::string>());
  EXPECT_EQ(signer.auth_hint(),
            "the configured fingerprint 20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34 does not match key file "
            "sample_key_pkcs8.pem (its fingerprint is 73:61:a2:21:67:e0:df:be:7e:4b:93:1e:15:98:a5:b7): fix "
            "fingerprint or key_file in the OCI config");
}

TEST(SignerTest, SessionTokenKeyId)
{
  OCNE_REQUIRE_SHARED();
  auto s = Signer::from_session_token(
    Secret(read_text(signing_dir() / "sample_key_pkcs1.pem")), Secret(), Secret("tok.en.value\n"), "session key");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_TRUE(s->is_session_token());
  auto parts = s->sign_lines({ { "date", "x" } });
  ASSERT_TRUE(parts);
  EXPECT_NE(parts->authorization.find(R"(keyId="ST$tok.en.value")"), std::string::npos);
}

TEST(SignerTest, KeyErrors)
{
  OCNE_REQUIRE_SHARED();
  const ApiKeyId id{ "t", "u", "f" };
  const Secret enc(read_text(signing_dir() / "sample_key_pkcs8_aes256_encrypted.pem"));
  const Secret enc1(read_text(signing_dir() / "sample_key_pkcs1_aes128_encrypted.pem"));

  auto r = Signer::from_api_key(enc, Secret(), id, "key file k.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "key file k.pem is encrypted and no pass phrase was given (set pass_phrase in the OCI config)");

  r = Signer::from_api_key(enc, Secret("wrong"), id, "key file k.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "cannot decrypt key file k.pem: wrong pass phrase");
  EXPECT_EQ(r.error().kind(), ErrorKind::auth);

  r = Signer::from_api_key(enc1, Secret("wrong"), id, "key file k1.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "cannot decrypt key file k1.pem: wrong pass phrase");

  r = Signer::from_api_key(Secret("hello"), Secret(), id, "key file x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "key file x is not a PEM private key");

  r = Signer::from_api_key(
    Secret("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), Secret(), id, "key file y");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "key file y is not a valid PEM private key");

  r = Signer::from_api_key(Secret(read_text(signing_dir() / "sample_key_pkcs1.pem")), Secret(), { "t", "", "f" }, "k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "API key signing needs tenancy, user and fingerprint (missing: user)");
}

TEST(SignerTest, RejectsNonRsaKeys)
{
  // An EC key in PKCS#8 (generated once with openssl genpkey -algorithm EC).
  const Secret ec("-----BEGIN PRIVATE KEY-----\n"
                  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjcM4GtswmHHac0TQ\n"
                  "AHcD6rok5H3+aRoGqcf/jQOoxZyhRANCAAScEt3sM/swIn4gCBVmbjsmNwcwHQYs\n"
                  "srKnrGMfc0dpdGDV4Kous44B8mYgF6rSzfD2xlwY/cAt5U4HaJEYqwsa\n"
                  "-----END PRIVATE KEY-----\n");
  auto r = Signer::from_api_key(ec, Secret(), { "t", "u", "f" }, "key file ec.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "key file ec.pem is a EC key; OCI API keys are RSA");
}

TEST(DigestTest, Encodings)
{
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zg==").value(), "f");
  EXPECT_EQ(base64_decode("Zm8=").value(), "fo");
  EXPECT_FALSE(base64_decode("Zm8"));
  EXPECT_EQ(sha256_base64(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(md5_base64(md5("")), "1B2M2Y8AsgTpgAmY7PhCfg==");
  // The docs' example shape: base64 of the MD5 of the concatenated part MD5s, then -count.
  const auto a = md5("part one");
  const auto b = md5("part two");
  std::string concat(reinterpret_cast<const char*>(a.data()), 16);
  concat.append(reinterpret_cast<const char*>(b.data()), 16);
  EXPECT_EQ(multipart_md5({ a, b }), md5_base64(md5(concat)) + "-2");
  Md5Hasher h;
  h.update("part ");
  h.update("one");
  EXPECT_EQ(h.finish(), a);
}

} // namespace
} // namespace ocne::oci
