#include "pkg/http/url.hpp"

#include <gtest/gtest.h>

namespace ocne::http {
namespace {

TEST(Url, EncodeDecode)
{
  EXPECT_EQ(url_encode("a b/c~d"), "a%20b%2Fc~d");
  EXPECT_EQ(url_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(url_decode("a+b", true), "a b");
  EXPECT_EQ(url_decode("100%"), "100%");
}

TEST(Url, JoinAndQuery)
{
  EXPECT_EQ(join_url("https://h/", "/v1/disks", { { "project", "p 1" }, { "limit", "100" } }),
            "https://h/v1/disks?project=p%201&limit=100");
  EXPECT_EQ(join_url("https://h", "api"), "https://h/api");
  EXPECT_EQ(join_url("https://h/x?a=1", "", { { "b", "2" } }), "https://h/x?a=1&b=2");
}

TEST(Url, Parse)
{
  const auto u = parse_url("https://objectstorage.us-ashburn-1.oraclecloud.com:8443/n/ns/b/bkt/o/a%20b?uploadId=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "objectstorage.us-ashburn-1.oraclecloud.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->host_header(), "objectstorage.us-ashburn-1.oraclecloud.com:8443");
  EXPECT_EQ(u->request_target(), "/n/ns/b/bkt/o/a%20b?uploadId=1");
  const auto v6 = parse_url("http://[::1]:6443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header(), "[::1]:6443");
  EXPECT_EQ(v6->path, "/");
  EXPECT_EQ(v6->effective_port(), 6443);
  EXPECT_FALSE(parse_url("not a url"));
  EXPECT_FALSE(parse_url("http://host:99999/"));
}

TEST(Url, RedactDropsCredentials)
{
  EXPECT_EQ(redact_url("https://user:pw@registry.example/v2/?service=r&token=abc&X-Amz-Signature=s"),
            "https://registry.example/v2/?service=r&token=[redacted]&X-Amz-Signature=[redacted]");
  EXPECT_EQ(redact_url("https://h/p"), "https://h/p");
}

} // namespace
} // namespace ocne::http
