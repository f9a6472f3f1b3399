#include "pkg/image/credentials.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

class CredentialsTest : public test::TempDirTest
{
protected:
  Reference
  ref(const std::string& text)
  {
    return *parse_reference(text);
  }
};

TEST_F(CredentialsTest, SearchOrderFollowsContainersAuthJson)
{
  auto env = Environment::from_map({ { "HOME", "/home/u" }, { "XDG_RUNTIME_DIR", "/run/user/1" } });
  EXPECT_EQ(default_auth_files(env),
            (std::vector<fs::Path>{ "/run/user/1/containers/auth.json",
                                    "/home/u/.config/containers/auth.json",
                                    "/home/u/.docker/config.json",
                                    "/home/u/.dockercfg" }));
  env = Environment::from_map({ { "HOME", "/home/u" },
                                { "XDG_RUNTIME_DIR", "/run/user/1" },
                                { "REGISTRY_AUTH_FILE", "~/auth.json" },
                                { "XDG_CONFIG_HOME", "/cfg" },
                                { "DOCKER_CONFIG", "/d" } });
  EXPECT_EQ(default_auth_files(env),
            (std::vector<fs::Path>{
              "/home/u/auth.json", "/cfg/containers/auth.json", "/d/config.json", "/home/u/.dockercfg" }));
}

TEST_F(CredentialsTest, FindsTheMostSpecificEntryInTheFirstFileThatHasOne)
{
  const auto first = write("auth.json", R"({"auths":{
    "other.example": {"auth": "b3RoZXI6cA=="},
    "reg.example:5000": {"auth": "dGVzdHVzZXI6czNjcmV0"},
    "reg.example:5000/olcne": {"username": "olcne-user", "password": "pw:with:colons"}
  }})");
  const auto second = write("config.json", R"({"auths":{"https://index.docker.io/v1/":{"auth":"aHViOmh1YnB3"}}})");
  const std::vector<fs::Path> files{ dir() / "missing.json", first, second };

  auto c = find_credentials(files, ref("reg.example:5000/olcne/ock:1.33"));
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->username, "olcne-user");
  EXPECT_EQ((*c)->password.reveal(), "pw:with:colons");
  EXPECT_EQ((*c)->source, first.string());

  c = find_credentials(files, ref("reg.example:5000/other/x"));
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->username, "testuser");
  EXPECT_EQ((*c)->password.reveal(), "s3cret");

  c = find_credentials(files, ref("busybox"));
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->username, "hub");
  EXPECT_EQ((*c)->source, second.string());

  c = find_credentials(files, ref("nowhere.example/a"));
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
}

TEST_F(CredentialsTest, ReadsTheLegacyDockercfg)
{
  const auto legacy = write(".dockercfg", R"({"reg.example":{"auth":"dGVzdHVzZXI6czNjcmV0","email":"x@y"}})");
  auto c = find_credentials({ legacy }, ref("reg.example/a"));
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->username, "testuser");
}

TEST_F(CredentialsTest, ReportsBrokenFiles)
{
  const auto bad_json = write("bad.json", "{not json");
  auto c = find_credentials({ bad_json }, ref("reg.example/a"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind(), ErrorKind::invalid_input);
  EXPECT_TRUE(c.error().message().starts_with(bad_json.string() + ": invalid JSON: ")) << c.error().message();

  const auto bad_auth = write("badauth.json", R"({"auths":{"reg.example":{"auth":"bm9jb2xvbg=="}}})");
  c = find_credentials({ bad_auth }, ref("reg.example/a"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(),
            bad_auth.string() + ": the \"auth\" value for 'reg.example' is not base64 of user:password");
}

} // namespace
} // namespace ocne::image
