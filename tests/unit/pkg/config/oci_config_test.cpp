#include "pkg/config/oci_config.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::config {
namespace {

constexpr const char* k_fingerprint = "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34";

class OciConfigTest : public test::TempDirTest
{
protected:
  Environment
  env(std::map<std::string, std::string, std::less<>> extra = {}) const
  {
    extra["HOME"] = dir().string();
    return Environment::from_map(std::move(extra));
  }
  std::filesystem::path
  config(const std::string& text) const
  {
    return write(".oci/config", text);
  }
};

TEST_F(OciConfigTest, ProfilesInheritMissingKeysFromDefault)
{
  config(fmt::format("[DEFAULT]\n"
                     "user=ocid1.user.oc1..aaa\n"
                     "fingerprint={}\n"
                     "key_file=~/.oci/key.pem\n"
                     "tenancy=ocid1.tenancy.oc1..ttt\n"
                     "region=us-ashburn-1\n"
                     "\n"
                     "# a comment\n"
                     "[DEV]\n"
                     "Region : eu-frankfurt-1\n"
                     "user = ocid1.user.oc1..dev\n",
                     k_fingerprint));
  const auto p = load_oci_profile(env(), { .profile = "DEV" });
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->profile, "DEV");
  EXPECT_EQ(p->user, "ocid1.user.oc1..dev");
  EXPECT_EQ(p->region, "eu-frankfurt-1");          // own key, ':' separator, case-insensitive name
  EXPECT_EQ(p->tenancy, "ocid1.tenancy.oc1..ttt"); // inherited
  EXPECT_EQ(p->key_file, dir() / ".oci/key.pem");  // inherited, ~ expanded
  EXPECT_EQ(p->where("region"), (dir() / ".oci/config").string() + ":10");
  EXPECT_EQ(p->where("tenancy"), (dir() / ".oci/config").string() + ":5");
  EXPECT_TRUE(p->pass_phrase.empty());
}

TEST_F(OciConfigTest, ProfileComesFromTheCallerThenOciCliProfileThenDefault)
{
  config(fmt::format(
    "[DEFAULT]\nuser=ocid1.user.oc1..a\nfingerprint={0}\nkey_file=k\ntenancy=ocid1.tenancy.oc1..t\nregion=r1\n"
    "[OTHER]\nregion=r2\n[THIRD]\nregion=r3\n",
    k_fingerprint));
  EXPECT_EQ(load_oci_profile(env(), {})->region, "r1");
  EXPECT_EQ(load_oci_profile(env({ { "OCI_CLI_PROFILE", "OTHER" } }), {})->region, "r2");
  EXPECT_EQ(load_oci_profile(env({ { "OCI_CLI_PROFILE", "OTHER" } }), { .profile = "THIRD" })->region, "r3");
  // A relative key_file is relative to the config file's folder.
  EXPECT_EQ(load_oci_profile(env(), {})->key_file, dir() / ".oci/k");
}

TEST_F(OciConfigTest, FileComesFromOciCliConfigFileThenOciConfigFile)
{
  const auto cli = write("cli/config",
                         fmt::format("[DEFAULT]\nuser=ocid1.user.oc1..a\nfingerprint={}\nkey_file=k\n"
                                     "tenancy=ocid1.tenancy.oc1..t\nregion=from-cli\n",
                                     k_fingerprint));
  const auto sdk = write("sdk/config",
                         fmt::format("[DEFAULT]\nuser=ocid1.user.oc1..a\nfingerprint={}\nkey_file=k\n"
                                     "tenancy=ocid1.tenancy.oc1..t\nregion=from-sdk\n",
                                     k_fingerprint));
  EXPECT_EQ(load_oci_profile(env({ { "OCI_CONFIG_FILE", sdk.string() } }), {})->region, "from-sdk");
  EXPECT_EQ(
    load_oci_profile(env({ { "OCI_CONFIG_FILE", sdk.string() }, { "OCI_CLI_CONFIG_FILE", cli.string() } }), {})->region,
    "from-cli");
  EXPECT_EQ(load_oci_profile(env({ { "OCI_CLI_CONFIG_FILE", cli.string() } }), { .file = sdk.string() })->region,
            "from-sdk");
}

TEST_F(OciConfigTest, PassPhraseAndGoSpelling)
{
  config(fmt::format("[DEFAULT]\nuser=ocid1.user.oc1..a\nfingerprint={}\nkey_file=k\ntenancy=ocid1.tenancy.oc1..t\n"
                     "region=r\npassphrase=s3cret\n",
                     k_fingerprint));
  const auto p = load_oci_profile(env(), {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->pass_phrase.reveal(), "s3cret");
  EXPECT_EQ(fmt::format("{}", p->pass_phrase), "[redacted]");
}

TEST_F(OciConfigTest, ContinuationLinesAndInlineHashes)
{
  const auto ini = parse_ini("[A]\nkey = first\n  second\nurl=http://x/#frag\n; comment\n", "cfg");
  ASSERT_TRUE(ini);
  EXPECT_EQ(ini->sections.at("A").at("key").value, "first\nsecond");
  EXPECT_EQ(ini->sections.at("A").at("url").value, "http://x/#frag");
}

TEST_F(OciConfigTest, BadInputMessages)
{
  const auto file = (dir() / ".oci/config").string();
  EXPECT_EQ(load_oci_profile(env(), {}).error().message(),
            file + ": no such file (create it with 'oci setup config', or point OCI_CLI_CONFIG_FILE at yours)");

  config("user=ocid1.user.oc1..a\n");
  EXPECT_EQ(load_oci_profile(env(), {}).error().message(),
            file + ":1: a key outside of any [profile] section (the file must start with a section such as [DEFAULT])");

  config("[DEFAULT]\njust a line\n");
  EXPECT_EQ(load_oci_profile(env(), {}).error().message(), file + ":2: expected key=value, got 'just a line'");

  config("[DEFAULT]\nregion=a\nregion=b\n");
  EXPECT_EQ(load_oci_profile(env(), {}).error().message(), file + ":3: key 'region' appears twice in [DEFAULT]");

  config("[DEFAULT]\nregion=a\n[DEFAULT]\n");
  EXPECT_EQ(load_oci_profile(env(), {}).error().message(), file + ":3: section [DEFAULT] appears twice");

  config("[DEFAULT]\nregion=a\n");
  EXPECT_EQ(load_oci_profile(env(), { .profile = "PROD" }).error().message(),
            file + ": profile 'PROD' not found (profiles: DEFAULT)");
  EXPECT_EQ(load_oci_profile(env(), {}).error().message(),
            file + ": profile 'DEFAULT' lacks user, fingerprint, tenancy, key_file");

  config("[DEFAULT]\nuser=ocid1.user.oc1..a\nfingerprint=zz\nkey_file=k\ntenancy=ocid1.tenancy.oc1..t\nregion=r\n");
  EXPECT_EQ(load_oci_profile(env(), {}).error().message(),
            file + ":3: fingerprint 'zz' is not a key fingerprint (16 hex pairs separated by ':')");

  config(fmt::format("[DEFAULT]\nuser=ocid1.user.oc1..a\nfingerprint={}\nkey_content=---\nkey_file=k\n"
                     "tenancy=ocid1.tenancy.oc1..t\nregion=r\n",
                     k_fingerprint));
  EXPECT_EQ(load_oci_profile(env(), {}).error().message(),
            file + ":4: key_content is not allowed in the config file; put the key in a file and set key_file");
}

TEST_F(OciConfigTest, SessionTokenProfilesNeedNoUser)
{
  write(".oci/token", "tok123\n");
  config(fmt::format("[DEFAULT]\nfingerprint={}\nkey_file=k\ntenancy=ocid1.tenancy.oc1..t\nregion=r\n"
                     "security_token_file=~/.oci/token\n",
                     k_fingerprint));
  const auto p = load_oci_profile(env(), {});
  ASSERT_TRUE(p) << p.error().message();
  const auto token = read_security_token(*p);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->reveal(), "tok123");
}

TEST_F(OciConfigTest, KeyFileWithAWideModeIsRefused)
{
  const auto key = write("key.pem", "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n", 0644);
  const auto r = read_private_key_file(key);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            key.string() + ": permissions 0644 are too open for a private key; run: chmod 600 " + key.string());
  std::filesystem::permissions(key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_TRUE(read_private_key_file(key));
  const auto missing = read_private_key_file(dir() / "none.pem");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), (dir() / "none.pem").string() + ": no such file or directory");
  const auto not_pem = write("garbage.pem", "hello", 0600);
  EXPECT_EQ(read_private_key_file(not_pem).error().message(), not_pem.string() + ": not a PEM private key");
}

} // namespace
} // namespace ocne::config
