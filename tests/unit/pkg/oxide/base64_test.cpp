#include "pkg/oxide/base64.hpp"

#include <gtest/gtest.h>

namespace ocne::oxide {
namespace {

std::string
enc(const std::string& s)
{
  std::string out = "x";
  base64_append(s, out);
  return out.substr(1);
}

TEST(OxideBase64, Rfc4648Vectors)
{
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg==");
  EXPECT_EQ(enc("fo"), "Zm8=");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foob"), "Zm9vYg==");
  EXPECT_EQ(enc("fooba"), "Zm9vYmE=");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
  EXPECT_EQ(enc(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(base64_length(512 * 1024), 699052U);
}

} // namespace
} // namespace ocne::oxide
