#include "pkg/ignition/merge.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::ignition {
namespace {

using nlohmann::json;

json
merged(std::string_view parent, std::string_view child)
{
  auto out = merge_configs(parent, child, "child.ign");
  EXPECT_TRUE(out) << out.error().message();
  return out ? json::parse(*out) : json();
}

TEST(Merge, ChildOverridesFieldsOfTheSameFile)
{
  const auto m = merged(
    R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/a","mode":420,"contents":{"source":"data:,p"}},{"path":"/b"}]}})",
    R"({"ignition":{"version":"3.2.0"},"storage":{"files":[{"path":"/a","mode":384},{"path":"/c"}]}})");
  EXPECT_EQ(m["ignition"]["version"], "3.4.0");
  ASSERT_EQ(m["storage"]["files"].size(), 3u);
  EXPECT_EQ(m["storage"]["files"][0], json::parse(R"({"path":"/a","mode":384,"contents":{"source":"data:,p"}})"));
  EXPECT_EQ(m["storage"]["files"][2]["path"], "/c");
}

TEST(Merge, FilesDirectoriesAndLinksReplaceEachOther)
{
  const auto m = merged(R"({"storage":{"links":[{"path":"/x","target":"/y"}],"files":[{"path":"/keep"}]}})",
                        R"({"storage":{"files":[{"path":"/x"}]}})");
  EXPECT_TRUE(m["storage"]["links"].empty());
  EXPECT_EQ(m["storage"]["files"].size(), 2u);
}

TEST(Merge, UnitsAndDropinsMergeByName)
{
  const auto m = merged(
    R"({"systemd":{"units":[{"name":"a.service","enabled":true,"dropins":[{"name":"p.conf","contents":"1"}]}]}})",
    R"({"systemd":{"units":[{"name":"a.service","enabled":false,"dropins":[{"name":"p.conf","contents":"2"},{"name":"q.conf"}]},{"name":"b.path"}]}})");
  ASSERT_EQ(m["systemd"]["units"].size(), 2u);
  EXPECT_EQ(m["systemd"]["units"][0]["enabled"], false);
  ASSERT_EQ(m["systemd"]["units"][0]["dropins"].size(), 2u);
  EXPECT_EQ(m["systemd"]["units"][0]["dropins"][0]["contents"], "2");
}

TEST(Merge, StringListsAreUnionedArgumentListsAppended)
{
  const auto m = merged(
    R"({"passwd":{"users":[{"name":"ocne","groups":["wheel"],"sshAuthorizedKeys":["k1"]}]},"storage":{"filesystems":[{"device":"/dev/a","options":["-x"]}]}})",
    R"({"passwd":{"users":[{"name":"ocne","groups":["wheel","adm"],"sshAuthorizedKeys":["k2","k1"]}]},"storage":{"filesystems":[{"device":"/dev/a","options":["-x"]}]}})");
  EXPECT_EQ(m["passwd"]["users"][0]["groups"], json::parse(R"(["wheel","adm"])"));
  EXPECT_EQ(m["passwd"]["users"][0]["sshAuthorizedKeys"], json::parse(R"(["k1","k2"])"));
  EXPECT_EQ(m["storage"]["filesystems"][0]["options"], json::parse(R"(["-x","-x"])"));
}

TEST(Merge, HttpHeadersWithoutValueRemoveTheParentHeader)
{
  const auto m = merged(
    R"({"ignition":{"config":{"merge":[{"source":"https://a","httpHeaders":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]}]}}})",
    R"({"ignition":{"config":{"merge":[{"source":"https://a","httpHeaders":[{"name":"X"},{"name":"Y","value":"3"}]}]}}})");
  EXPECT_EQ(m["ignition"]["config"]["merge"][0]["httpHeaders"], json::parse(R"([{"name":"Y","value":"3"}])"));
}

TEST(Merge, BadChildIsNamed)
{
  auto out = merge_configs(R"({})", "[1]", "extra.ign");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message(), "extra.ign: an Ignition config must be a JSON object");
  auto bad = merge_configs(R"({})", "{", "extra.ign");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message().rfind("extra.ign: not valid JSON:", 0), 0u);
}

} // namespace
} // namespace ocne::ignition
