#include "pkg/core/secret.hpp"

#include <gtest/gtest.h>

namespace ocne {
namespace {

TEST(Secret, FormatsAsRedacted)
{
  const Secret token("oxide-token-abc123");
  EXPECT_EQ(fmt::format("token={}", token), "token=[redacted]");
  EXPECT_EQ(token.reveal(), "oxide-token-abc123");
  EXPECT_EQ(fmt::format("{}", Secret()), "");
}

TEST(Secret, MovedFromIsEmpty)
{
  Secret a("x");
  Secret b(std::move(a));
  EXPECT_TRUE(a.empty()); // NOLINT: checking the moved-from state on purpose
  EXPECT_EQ(b.reveal(), "x");
}

} // namespace
} // namespace ocne
