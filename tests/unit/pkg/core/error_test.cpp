#include "pkg/core/error.hpp"

#include <gtest/gtest.h>

namespace ocne {
namespace {

Result<int>
parse_positive(int v)
{
  if (v <= 0) {
    return make_error(ErrorKind::invalid_input, "value must be positive, got {}", v);
  }
  return v;
}

Result<int>
doubled(int v)
{
  OCNE_TRY_ASSIGN(const int x, parse_positive(v));
  return x * 2;
}

Status
check(int v)
{
  OCNE_TRY(parse_positive(v));
  return {};
}

TEST(Error, TryAssignPassesValuesAndErrors)
{
  EXPECT_EQ(*doubled(21), 42);
  const auto bad = doubled(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(bad.error().message(), "value must be positive, got -1");
  EXPECT_TRUE(check(1));
  EXPECT_FALSE(check(0));
}

TEST(Error, WithContextPrefixesTheMessage)
{
  const Error e(ErrorKind::not_found, "no such file");
  EXPECT_EQ(e.with_context("capi.yaml").message(), "capi.yaml: no such file");
  EXPECT_EQ(e.with_context("capi.yaml").kind(), ErrorKind::not_found);
}

TEST(Error, ValueOrThrowThrowsFatalWithTheMessage)
{
  try {
    value_or_throw(doubled(0));
    FAIL() << "expected Fatal";
  } catch (const Fatal& f) {
    EXPECT_STREQ(f.what(), "value must be positive, got 0");
    EXPECT_EQ(f.exit_code(), 1);
  }
  EXPECT_EQ(value_or_throw(doubled(2)), 4);
}

} // namespace
} // namespace ocne
