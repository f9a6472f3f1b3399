#include "pkg/core/state_dir.hpp"

#include <gtest/gtest.h>

namespace ocne {
namespace {

TEST(StateDir, DefaultsToDotOcneInHome)
{
  const auto env = Environment::from_map({ { "HOME", "/home/u" } });
  EXPECT_EQ(StateDir::from_env(env).root(), std::filesystem::path("/home/u/.ocne"));
  EXPECT_EQ(StateDir::from_env(env).clusters_file(), std::filesystem::path("/home/u/.ocne/clusters.yaml"));
}

TEST(StateDir, OcneHomeOverrides)
{
  const auto env = Environment::from_map({ { "HOME", "/home/u" }, { "OCNE_HOME", "/tmp/sandbox" } });
  EXPECT_EQ(StateDir::from_env(env).root(), std::filesystem::path("/tmp/sandbox"));
  const auto tilde = Environment::from_map({ { "HOME", "/home/u" }, { "OCNE_HOME", "~/alt" } });
  EXPECT_EQ(StateDir::from_env(tilde).root(), std::filesystem::path("/home/u/alt"));
}

TEST(Environment, GetDistinguishesUnsetFromEmpty)
{
  const auto env = Environment::from_map({ { "EMPTY", "" }, { "SET", "x" } });
  EXPECT_EQ(env.get("EMPTY"), "");
  EXPECT_EQ(env.get_nonempty("EMPTY"), std::nullopt);
  EXPECT_EQ(env.get("UNSET"), std::nullopt);
  EXPECT_EQ(env.get_or("UNSET", "d"), "d");
  EXPECT_EQ(env.get_or("SET", "d"), "x");
}

} // namespace
} // namespace ocne
