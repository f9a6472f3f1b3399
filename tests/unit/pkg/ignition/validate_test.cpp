#include "pkg/ignition/validate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ocne::ignition {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string>
issues(std::string_view body, bool exact = true)
{
  return validation_issues(body, { .exact_version = exact });
}

TEST(Validate, MinimalConfigIsValid)
{
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.4.0"}})"), IsEmpty());
}

TEST(Validate, Version)
{
  EXPECT_THAT(issues(R"({})"), ElementsAre("ignition.version: missing (this must be an Ignition 3.x config)"));
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.3.0"}})"),
              ElementsAre("ignition.version: is '3.3.0', expected 3.4.0"));
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.3.0"}})", false), IsEmpty());
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.5.0"}})", false),
              ElementsAre("ignition.version: is '3.5.0'; ocne reads Ignition configs of spec 3.0.0 to 3.4.0"));
  EXPECT_THAT(issues(R"({"ignition":{"version":"2.2.0"}})", false),
              ElementsAre("ignition.version: is '2.2.0'; ocne reads Ignition configs of spec 3.0.0 to 3.4.0"));
}

TEST(Validate, UnknownKeysAndTypes)
{
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.4.0"},"storage":{"file":[]}})"),
              ElementsAre("storage.file: unknown key"));
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/a","mode":"0644"}]}})"),
              ElementsAre("storage.files[0].mode: must be an integer"));
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.4.0"},"passwd":{"users":[{"name":"a","sshAuthorizedKeys":"k"}]}})"),
              ElementsAre("passwd.users[0].sshAuthorizedKeys: must be a list of strings"));
}

TEST(Validate, PathsAreAbsoluteAndUniqueAcrossKinds)
{
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.4.0"},"storage":{
      "files":[{"path":"/etc/a"},{"path":"etc/b"}],
      "directories":[{"path":"/etc/a"}],
      "links":[{"path":"/etc/l"}]}})"),
              ElementsAre("storage.files[1].path: 'etc/b' is not an absolute path",
                          "storage.directories[0].path: '/etc/a' is already used by storage.files[0]",
                          "storage.links[0].target: missing"));
}

TEST(Validate, ModesSourcesAndHashes)
{
  EXPECT_THAT(
    issues(R"({"ignition":{"version":"3.4.0"},"storage":{"files":[
      {"path":"/a","mode":8192},
      {"path":"/b","overwrite":true},
      {"path":"/c","contents":{"source":"ftp://x/y"}},
      {"path":"/d","contents":{"source":"data:;base64,@@"}},
      {"path":"/e","contents":{"source":"data:,x","compression":"bzip2","verification":{"hash":"md5-00"}}}]}})"),
    ElementsAre(
      "storage.files[0].mode: 8192 is not a permission mode (0 to 4095, i.e. 07777)",
      "storage.files[1].contents.source: missing (required when overwrite is true)",
      "storage.files[2].contents.source: 'ftp://x/y' has no supported scheme (http, https, tftp, s3, arn, gs, data)",
      "storage.files[3].contents.source: data URL has invalid base64 data",
      "storage.files[4].contents.compression: 'bzip2' is not supported (gzip or empty)",
      "storage.files[4].contents.verification.hash: 'md5-00' is not sha512-<hex> or sha256-<hex>"));
}

TEST(Validate, UnitsAndDropins)
{
  EXPECT_THAT(
    issues(R"({"ignition":{"version":"3.4.0"},"systemd":{"units":[
      {"name":"a.service","dropins":[{"name":"x.conf"},{"name":"x.conf"},{"name":"y.txt"}]},
      {"name":"a.service"},
      {"name":"noext"}]}})"),
    ElementsAre("systemd.units[1].name: 'a.service' is already used by systemd.units[0]",
                "systemd.units[0].dropins[1].name: 'x.conf' is already used by systemd.units[0].dropins[0]",
                "systemd.units[0].dropins[2].name: 'y.txt' does not end in .conf",
                "systemd.units[2].name: 'noext' has no valid unit type suffix (.service, .path, .timer, ...)"));
}

TEST(Validate, UsersAndGroups)
{
  EXPECT_THAT(issues(R"({"ignition":{"version":"3.4.0"},"passwd":{
      "users":[{"name":"a","sshAuthorizedKeys":["k","k"]},{"name":"a"},{}],
      "groups":[{"name":"g"},{"name":"g"}]}})"),
              ElementsAre("passwd.users[1].name: 'a' is already used by passwd.users[0]",
                          "passwd.users[2].name: missing",
                          "passwd.users[0].sshAuthorizedKeys: holds the same key twice",
                          "passwd.groups[1].name: 'g' is already used by passwd.groups[0]"));
}

TEST(Validate, StatusNamesOriginAndFirstProblems)
{
  auto status = validate(R"({"ignition":{"version":"3.4.0"},"a":1,"b":2,"c":3,"d":4})", "extra.ign");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(status.error().message(),
            "extra.ign: invalid Ignition config: a: unknown key; b: unknown key; c: unknown key (and 1 more)");
  auto bad_json = validate("{", "x.ign");
  ASSERT_FALSE(bad_json);
  EXPECT_EQ(bad_json.error().message().rfind("x.ign: invalid Ignition config: not valid JSON:", 0), 0u);
}

} // namespace
} // namespace ocne::ignition
