#include "tests/servers/openapi/formats.hpp"

#include "tests/servers/openapi/pattern.hpp"

#include <gtest/gtest.h>

namespace ocne::test::openapi {
namespace {

TEST(OpenApiFormats, Uuid)
{
  EXPECT_TRUE(is_uuid("4f8c2a7e-0000-4000-8000-000000000001"));
  EXPECT_TRUE(is_uuid("4F8C2A7E-0000-4000-8000-00000000000A"));
  EXPECT_FALSE(is_uuid("4f8c2a7e-0000-4000-8000-00000000000"));
  EXPECT_FALSE(is_uuid("4f8c2a7e00000-4000-8000-000000000001"));
  EXPECT_FALSE(is_uuid("zf8c2a7e-0000-4000-8000-000000000001"));
}

TEST(OpenApiFormats, DateTime)
{
  EXPECT_TRUE(is_rfc3339("2026-11-21T10:00:00Z"));
  EXPECT_TRUE(is_rfc3339("2026-11-21T10:00:00.123456Z"));
  EXPECT_TRUE(is_rfc3339("2026-11-21T10:00:00+01:00"));
  EXPECT_FALSE(is_rfc3339("2026-11-21 10:00:00Z"));
  EXPECT_FALSE(is_rfc3339("2026-13-21T10:00:00Z"));
  EXPECT_FALSE(is_rfc3339("2026-11-21T10:00:00"));
  EXPECT_FALSE(is_rfc3339("2026-11-21T10:00:00.Z"));
}

TEST(OpenApiFormats, IpAddresses)
{
  EXPECT_TRUE(string_format_ok("ip", "10.0.0.1"));
  EXPECT_TRUE(string_format_ok("ip", "fd00::1"));
  EXPECT_TRUE(string_format_ok("ipv4", "192.168.1.1"));
  EXPECT_FALSE(string_format_ok("ipv4", "fd00::1"));
  EXPECT_FALSE(string_format_ok("ipv6", "10.0.0.1"));
  EXPECT_FALSE(string_format_ok("ip", "10.0.0.256"));
  EXPECT_TRUE(string_format_ok("uri", "anything goes"));
}

TEST(OpenApiFormats, IntegerRanges)
{
  auto u32 = integer_format_range("uint32");
  ASSERT_TRUE(u32);
  EXPECT_EQ(u32->max, 4294967295.0L);
  auto i64 = integer_format_range("int64");
  ASSERT_TRUE(i64);
  EXPECT_LT(i64->min, 0);
  EXPECT_FALSE(integer_format_range("double"));
}

TEST(OpenApiPattern, LookAheadAndLookBehind)
{
  const std::string name = "^(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)"
                           "^[a-z]([a-zA-Z0-9-]*[a-zA-Z0-9]+)?$";
  EXPECT_TRUE(pattern_matches(name, "my-disk-1"));
  EXPECT_FALSE(pattern_matches(name, "4f8c2a7e-0000-4000-8000-000000000001"));
  EXPECT_FALSE(pattern_matches(name, "trailing-"));
  const std::string host = R"(^([a-zA-Z0-9]+[a-zA-Z0-9\-]*(?<!-))(\.[a-zA-Z0-9]+[a-zA-Z0-9\-]*(?<!-))*$)";
  EXPECT_TRUE(pattern_matches(host, "node-1.example"));
  EXPECT_FALSE(pattern_matches(host, "node-.example"));
  // Not anchored unless the pattern says so.
  EXPECT_TRUE(pattern_matches("b", "abc"));
}

TEST(OpenApiPattern, BadPatternIsReported)
{
  std::string error;
  EXPECT_FALSE(pattern_matches("(", "x", &error));
  EXPECT_NE(error.find("pattern does not compile"), std::string::npos) << error;
}

} // namespace
} // namespace ocne::test::openapi
