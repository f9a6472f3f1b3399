#include "providers/oxide/config_rules.hpp"
#include "providers/oxide/credentials_secret.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::oxide {
namespace {

TEST(OxideNames, WhatOxideAcceptsAsAName)
{
  EXPECT_TRUE(is_oxide_name("ocne-1-33"));
  EXPECT_TRUE(is_oxide_name("a"));
  EXPECT_FALSE(is_oxide_name(""));
  EXPECT_FALSE(is_oxide_name("ocne-1.33"));
  EXPECT_FALSE(is_oxide_name("1abc"));
  EXPECT_FALSE(is_oxide_name("abc-"));
  EXPECT_FALSE(is_oxide_name(std::string(64, 'a')));
  EXPECT_FALSE(is_oxide_name("0b5d6a9e-1234-4a5b-9c6d-0123456789ab"));
}

TEST(OxideNames, TheCredentialsSecretIsNamedAfterTheCluster)
{
  EXPECT_EQ(credentials_secret_name("demo"), "demo-oxide-credentials");
}

} // namespace
} // namespace ocne::providers::oxide
