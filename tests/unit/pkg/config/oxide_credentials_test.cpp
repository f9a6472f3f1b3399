#include "pkg/config/oxide_credentials.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::config {
namespace {

class OxideCredentialsTest : public test::TempDirTest
{
protected:
  Environment
  env(std::map<std::string, std::string, std::less<>> extra = {}) const
  {
    extra["HOME"] = dir().string();
    return Environment::from_map(std::move(extra));
  }
  void
  credentials(const std::string& text, unsigned mode = 0600) const
  {
    write(".config/oxide/credentials.toml", text, mode);
  }
  std::string
  creds_path() const
  {
    return (dir() / ".config/oxide/credentials.toml").string();
  }
  static constexpr const char* k_two_profiles = "[profile.lab]\n"
                                                "host = \"https://lab.example\"\n"
                                                "token = \"oxide-token-lab\"\n"
                                                "user = \"00000000-0000-0000-0000-000000000001\"\n"
                                                "[profile.prod]\n"
                                                "host = \"prod.example/\"\n"
                                                "token = \"oxide-token-prod\"\n";
};

TEST_F(OxideCredentialsTest, NamedProfileWins)
{
  credentials(k_two_profiles);
  const auto c = resolve_oxide_credentials(env({ { "OXIDE_TOKEN", "env-token" }, { "OXIDE_HOST", "https://env" } }),
                                           { .profile = "prod" });
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->host, "https://prod.example");
  EXPECT_EQ(c->token.reveal(), "oxide-token-prod");
  EXPECT_EQ(c->source, "profile 'prod' in " + creds_path());
}

TEST_F(OxideCredentialsTest, NamedProfileAndADifferentHostDisagree)
{
  credentials(k_two_profiles);
  const auto c = resolve_oxide_credentials(env(), { .host = "https://elsewhere", .profile = "lab" });
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(),
            "providers.oxide.host (https://elsewhere) and providers.oxide.profile ('lab', whose host is "
            "https://lab.example) disagree; set only one so the token is not sent to another host");
  EXPECT_TRUE(resolve_oxide_credentials(env(), { .host = "lab.example", .profile = "lab" }));
}

TEST_F(OxideCredentialsTest, EnvironmentTokenWithHostFromConfigOrEnvironment)
{
  auto c = resolve_oxide_credentials(env({ { "OXIDE_TOKEN", "t1" }, { "OXIDE_HOST", "rack.example" } }), {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "https://rack.example");
  EXPECT_EQ(c->token.reveal(), "t1");
  EXPECT_EQ(c->source, "OXIDE_HOST and OXIDE_TOKEN");
  c = resolve_oxide_credentials(env({ { "OXIDE_TOKEN", "t1" } }), { .host = "http://127.0.0.1:8080" });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "http://127.0.0.1:8080");
  const auto no_host = resolve_oxide_credentials(env({ { "OXIDE_TOKEN", "t1" } }), {});
  ASSERT_FALSE(no_host);
  EXPECT_EQ(no_host.error().message(), "OXIDE_TOKEN is set but no host is: set providers.oxide.host or OXIDE_HOST");
}

TEST_F(OxideCredentialsTest, CredentialsFileByHostThenOxideProfileThenDefaultProfile)
{
  credentials(k_two_profiles);
  write(".config/oxide/config.toml", "default-profile = \"lab\"\n");
  EXPECT_EQ(resolve_oxide_credentials(env({ { "OXIDE_HOST", "https://prod.example" } }), {})->token.reveal(),
            "oxide-token-prod");
  EXPECT_EQ(resolve_oxide_credentials(env({ { "OXIDE_PROFILE", "prod" } }), {})->token.reveal(), "oxide-token-prod");
  EXPECT_EQ(resolve_oxide_credentials(env(), {})->token.reveal(), "oxide-token-lab");
  const auto both = resolve_oxide_credentials(env({ { "OXIDE_HOST", "h" }, { "OXIDE_PROFILE", "lab" } }), {});
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().message(), "OXIDE_HOST and OXIDE_PROFILE are both set; unset one of them");
}

TEST_F(OxideCredentialsTest, NothingFoundSaysWhereWeLooked)
{
  const auto c = resolve_oxide_credentials(env(), {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind(), ErrorKind::auth);
  const auto cfg = (dir() / ".config/oxide/config.toml").string();
  EXPECT_EQ(c.error().message(),
            "no Oxide credentials found: set OXIDE_HOST and OXIDE_TOKEN, or providers.oxide.profile, or log in with "
            "'oxide auth login' (looked at providers.oxide.host (unset), OXIDE_TOKEN, OXIDE_PROFILE, " +
              creds_path() + " (not found), " + cfg + " (not found))");
}

TEST_F(OxideCredentialsTest, MalformedFilesNameFileAndLine)
{
  credentials("[profile.lab]\nhost = \"x\"\ntoken = \n");
  auto c = resolve_oxide_credentials(env(), { .profile = "lab" });
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message().rfind(creds_path() + ":3: ", 0), 0U) << c.error().message();
  credentials("[profile.lab]\nhost = \"x\"\n");
  c = resolve_oxide_credentials(env(), { .profile = "lab" });
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(), creds_path() + ":1: profile 'lab' needs both host and token strings");
  credentials("[profile.lab]\nhost = \"  \"\ntoken = \"t\"\n");
  c = resolve_oxide_credentials(env(), { .profile = "lab" });
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(), creds_path() + ":1: profile 'lab' needs both host and token strings");
  credentials(k_two_profiles);
  c = resolve_oxide_credentials(env(), { .profile = "staging" });
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(),
            creds_path() + ": no profile 'staging' (named by providers.oxide.profile; profiles: lab, prod)");
}

TEST_F(OxideCredentialsTest, WideModeWarnsAndTokensStayOutOfMessages)
{
  credentials(k_two_profiles, 0644);
  const auto c = resolve_oxide_credentials(env(), { .profile = "lab" });
  ASSERT_TRUE(c);
  ASSERT_EQ(c->warnings.size(), 1U);
  EXPECT_EQ(c->warnings[0],
            creds_path() + ": permissions 0644 let others read your Oxide tokens; run: chmod 600 " + creds_path());
  EXPECT_EQ(c->source.find("oxide-token"), std::string::npos);
}

} // namespace
} // namespace ocne::config
