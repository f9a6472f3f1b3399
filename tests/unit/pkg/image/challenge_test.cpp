#include "pkg/image/challenge.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

TEST(ChallengeTest, ParsesBearerWithQuotedParams)
{
  const auto c = parse_challenges(
    R"(Bearer realm="http://127.0.0.1:4000/token",service="test-registry",scope="repository:olcne/ock:pull")");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params.at("realm"), "http://127.0.0.1:4000/token");
  EXPECT_EQ(c[0].params.at("service"), "test-registry");
  EXPECT_EQ(c[0].params.at("scope"), "repository:olcne/ock:pull");
}

TEST(ChallengeTest, ParsesSeveralChallengesAndOddSpacing)
{
  const auto c =
    parse_challenges(R"(Basic realm="reg \"x\"" , Bearer  Realm = "https://a/t" ,error=insufficient_scope, Negotiate)");
  ASSERT_EQ(c.size(), 3U);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].params.at("realm"), "reg \"x\"");
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].params.at("realm"), "https://a/t");
  EXPECT_EQ(c[1].params.at("error"), "insufficient_scope");
  EXPECT_EQ(c[2].scheme, "negotiate");
  EXPECT_TRUE(c[2].params.empty());
}

TEST(ChallengeTest, SurvivesGarbage)
{
  EXPECT_TRUE(parse_challenges("").empty());
  EXPECT_TRUE(parse_challenges(" , ,").empty());
  const auto c = parse_challenges("Bearer realm=\"unterminated");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].params.at("realm"), "unterminated");
  EXPECT_FALSE(parse_challenges("=== @@@ Basic realm=x").empty());
}

} // namespace
} // namespace ocne::image
