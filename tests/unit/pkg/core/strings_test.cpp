#include "pkg/core/strings.hpp"

#include <gtest/gtest.h>

namespace ocne::str {
namespace {

TEST(Strings, TrimSplitJoin)
{
  EXPECT_EQ(trim("  a b \n"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{ "a", "", "b" }));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{ "" }));
  EXPECT_EQ(split_trimmed(" a, ,b ", ','), (std::vector<std::string>{ "a", "b" }));
  EXPECT_EQ(join({ "a", "b", "c" }, ", "), "a, b, c");
  EXPECT_EQ(replace_all("a-b-c", "-", "+-+"), "a+-+b+-+c");
  EXPECT_EQ(to_lower("MiXeD"), "mixed");
  EXPECT_TRUE(starts_with("ocid1.image", "ocid1."));
  EXPECT_TRUE(ends_with("boot.qcow2", ".qcow2"));
  EXPECT_FALSE(ends_with("a", "abc"));
}

TEST(Strings, QuoteEscapesControlCharacters)
{
  EXPECT_EQ(quote("a'b\n\x01"), "'a\\'b\\n\\x01'");
}

} // namespace
} // namespace ocne::str
