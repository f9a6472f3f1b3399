#include "pkg/pki/keys.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ocne::pki {
namespace {

TEST(Keys, BootstrapTokensHaveKubeadmShapeAndDiffer)
{
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto token = make_bootstrap_token();
    ASSERT_TRUE(token);
    EXPECT_TRUE(is_bootstrap_token(token->reveal())) << token->reveal();
    seen.insert(token->reveal());
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(Keys, BootstrapTokenShapeCheck)
{
  EXPECT_TRUE(is_bootstrap_token("abcdef.0123456789abcdef"));
  EXPECT_FALSE(is_bootstrap_token("ABCDEF.0123456789abcdef"));
  EXPECT_FALSE(is_bootstrap_token("abcdef0123456789abcdef"));
  EXPECT_FALSE(is_bootstrap_token("abcde.0123456789abcdefg"));
}

TEST(Keys, RandomHexLengthAndAlphabet)
{
  auto key = random_hex(32);
  ASSERT_TRUE(key);
  ASSERT_EQ(key->reveal().size(), 64u);
  EXPECT_EQ(key->reveal().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(key->reveal(), random_hex(32)->reveal());
}

TEST(Keys, PublicKeyFromPrivate)
{
  auto key = make_rsa_key();
  ASSERT_TRUE(key);
  EXPECT_NE(key->reveal().find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  auto pub = public_key_pem(*key);
  ASSERT_TRUE(pub);
  EXPECT_NE(pub->find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
}

TEST(Keys, ErrorsAreValues)
{
  auto small = make_rsa_key(1024);
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().message(), "refusing to make an RSA key of 1024 bits (at least 2048)");
  auto pub = public_key_pem(Secret("nonsense"));
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().message().rfind("cannot parse the private key", 0), 0u);
}

} // namespace
} // namespace ocne::pki
