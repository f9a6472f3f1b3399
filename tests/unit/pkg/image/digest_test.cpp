#include "pkg/image/digest.hpp"

#include "pkg/image/credentials.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

TEST(DigestTest, HashesKnownVectors)
{
  EXPECT_EQ(sha256_of("").str(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.update("a");
  h.update("bc");
  EXPECT_EQ(h.finish().hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The hasher starts over after finish().
  h.update("abc");
  EXPECT_EQ(h.finish().brief(), "sha256:ba7816bf8f01");
}

TEST(DigestTest, ParsesOnlySha256)
{
  const auto hex = sha256_of("x").hex;
  auto d = parse_digest("sha256:" + hex);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hex, hex);
  EXPECT_EQ(parse_digest("sha256:" + hex.substr(1)).error().message(),
            "invalid digest 'sha256:" + hex.substr(1) + "': expected sha256:<64 hex digits>");
  EXPECT_FALSE(parse_digest("sha256:" + std::string(64, 'A')));
  EXPECT_EQ(parse_digest("sha512:ab").error().message(),
            "unsupported digest algorithm 'sha512' in 'sha512:ab': only sha256 is supported");
  EXPECT_EQ(parse_digest("nocolon").error().message(), "invalid digest 'nocolon': expected sha256:<64 hex digits>");
}

TEST(DigestTest, Base64RoundTrips)
{
  for (const std::string s : { "", "a", "ab", "abc", "testuser:s3cret", "\xff\x00\x01" }) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("testuser:s3cret"), "dGVzdHVzZXI6czNjcmV0");
  EXPECT_EQ(base64_decode("dGVzdHVzZXI6czNjcmV0"), "testuser:s3cret");
  EXPECT_EQ(base64_decode("YQ"), "a");
  EXPECT_FALSE(base64_decode("a"));
  EXPECT_FALSE(base64_decode("a$bc"));
}

} // namespace
} // namespace ocne::image
