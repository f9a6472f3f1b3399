#include "pkg/ignition/config.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::ignition {
namespace {

using nlohmann::json;

TEST(Config, EmptyConfigHasOnlyTheVersion)
{
  EXPECT_EQ(Config().to_json(), R"({"ignition":{"version":"3.4.0"}})");
}

TEST(Config, FilesDirectoriesUnitsUsersGroups)
{
  Config c;
  ASSERT_TRUE(c.add_file({ .path = "/etc/x", .contents = "hi\n", .mode = 0600, .user = "u", .group = "g" }));
  ASSERT_TRUE(c.add_directory({ .path = "/etc/d", .mode = 0750 }));
  ASSERT_TRUE(c.add_dropin("a.service", { .name = "d.conf", .contents = "[Service]\n" }));
  ASSERT_TRUE(c.add_unit({ .name = "a.service", .enabled = true, .contents = "[Unit]\n" }));
  c.enable_unit("b.service");
  ASSERT_TRUE(c.add_user({ .name = "ocne", .groups = { "wheel" }, .ssh_authorized_keys = { "ssh-ed25519 AAA" } }));
  ASSERT_TRUE(c.add_group({ .name = "g", .system = true }));
  const auto j = json::parse(c.to_json());
  EXPECT_EQ(j["storage"]["files"][0]["path"], "/etc/x");
  EXPECT_EQ(j["storage"]["files"][0]["mode"], 0600);
  EXPECT_EQ(j["storage"]["files"][0]["overwrite"], true);
  EXPECT_EQ(j["storage"]["files"][0]["contents"]["source"], "data:,hi%0A");
  EXPECT_EQ(j["storage"]["files"][0]["user"]["name"], "u");
  EXPECT_EQ(j["storage"]["directories"][0]["mode"], 0750);
  ASSERT_EQ(j["systemd"]["units"].size(), 2u);
  EXPECT_EQ(j["systemd"]["units"][0]["name"], "a.service");
  EXPECT_EQ(j["systemd"]["units"][0]["enabled"], true);
  EXPECT_EQ(j["systemd"]["units"][0]["contents"], "[Unit]\n");
  EXPECT_EQ(j["systemd"]["units"][0]["dropins"][0]["name"], "d.conf");
  EXPECT_EQ(j["systemd"]["units"][1], json::parse(R"({"name":"b.service","enabled":true})"));
  EXPECT_EQ(j["passwd"]["users"][0]["groups"][0], "wheel");
  EXPECT_EQ(j["passwd"]["groups"][0]["system"], true);
}

TEST(Config, DuplicatesAreErrors)
{
  Config c;
  ASSERT_TRUE(c.add_file({ .path = "/etc/x" }));
  EXPECT_EQ(c.add_file({ .path = "/etc/x" }).error().message(), "ignition file '/etc/x' is already defined as a file");
  EXPECT_EQ(c.add_directory({ .path = "/etc/x" }).error().message(),
            "ignition directory '/etc/x' is already defined as a file");
  EXPECT_EQ(c.add_file({ .path = "etc/y" }).error().message(), "ignition file path 'etc/y' is not absolute");
  ASSERT_TRUE(c.add_unit({ .name = "a.service" }));
  EXPECT_EQ(c.add_unit({ .name = "a.service" }).error().message(), "ignition unit 'a.service' is already defined");
  ASSERT_TRUE(c.add_dropin("a.service", { .name = "p.conf" }));
  EXPECT_EQ(c.add_dropin("a.service", { .name = "p.conf" }).error().message(),
            "ignition drop-in 'p.conf' of unit 'a.service' is already defined");
  ASSERT_TRUE(c.add_user({ .name = "u" }));
  EXPECT_EQ(c.add_user({ .name = "u" }).error().message(), "ignition user 'u' is already defined");
  ASSERT_TRUE(c.add_group({ .name = "g" }));
  EXPECT_EQ(c.add_group({ .name = "g" }).error().message(), "ignition group 'g' is already defined");
}

} // namespace
} // namespace ocne::ignition
