#include "pkg/ignition/extra.hpp"

#include "pkg/ignition/data_url.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::ignition {
namespace {

using nlohmann::json;

class ExtraIgnitionTest : public test::TempDirTest
{};

TEST_F(ExtraIgnitionTest, JsonOfAnOlderSpecIsAccepted)
{
  auto out =
    parse_extra_ignition(R"({"ignition":{"version":"3.1.0"},"storage":{"files":[{"path":"/etc/motd"}]}})", "extra.ign");
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(json::parse(*out)["storage"]["files"][0]["path"], "/etc/motd");
}

TEST_F(ExtraIgnitionTest, ButaneIsTranslated)
{
  auto out = parse_extra_ignition(R"(variant: fcos
version: 1.5.0
passwd:
  users:
    - name: core
      ssh_authorized_keys:
        - ssh-ed25519 AAAA
storage:
  files:
    - path: /etc/motd
      mode: 0644
      overwrite: true
      contents:
        inline: |
          hello
  disks:
    - device: /dev/vdb
      partitions:
        - size_mib: 100
          label: data
systemd:
  units:
    - name: hello.service
      enabled: true
      contents: "[Unit]\n"
)",
                                  "extra.bu");
  ASSERT_TRUE(out) << out.error().message();
  const auto j = json::parse(*out);
  EXPECT_EQ(j["ignition"]["version"], "3.4.0");
  EXPECT_EQ(j["passwd"]["users"][0]["sshAuthorizedKeys"][0], "ssh-ed25519 AAAA");
  EXPECT_EQ(j["storage"]["files"][0]["mode"], 0644);
  EXPECT_EQ(*decode_data_url(j["storage"]["files"][0]["contents"]["source"].get<std::string>()), "hello\n");
  EXPECT_EQ(j["storage"]["disks"][0]["partitions"][0]["sizeMiB"], 100);
  EXPECT_EQ(j["systemd"]["units"][0]["enabled"], true);
}

TEST_F(ExtraIgnitionTest, ButaneErrors)
{
  EXPECT_EQ(parse_extra_ignition("a: b\n", "x.yaml").error().message(),
            "x.yaml: neither Ignition JSON nor Butane YAML (Butane needs 'variant' and 'version')");
  EXPECT_EQ(parse_extra_ignition("variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n    - path: /a\n      contents:\n"
                                 "        local: a.txt\n",
                                 "x.bu")
              .error()
              .message(),
            "x.bu: storage.files[0].contents.local is not supported; inline the contents or run butane --files-dir "
            "first");
  EXPECT_EQ(parse_extra_ignition("variant: fcos\nversion: 1.5.0\nstorage:\n  file: []\n", "x.bu").error().message(),
            "x.bu: invalid Ignition config: storage.file: unknown key");
  EXPECT_EQ(parse_extra_ignition("variant: fcos\n  bad: [\n", "x.bu").error().message().rfind("x.bu:", 0), 0u);
}

TEST_F(ExtraIgnitionTest, FolderIsReadInNameOrderAndInlineLast)
{
  write("extra/20-b.ign", R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/b"}]}})");
  write("extra/10-a.json", R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/a"}]}})");
  write("extra/README.md", "not ignition");
  auto extras =
    load_extra_ignition(dir() / "extra", R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/c"}]}})");
  ASSERT_TRUE(extras) << extras.error().message();
  ASSERT_EQ(extras->size(), 3u);
  EXPECT_EQ((*extras)[0].origin, (dir() / "extra" / "10-a.json").string());
  EXPECT_EQ((*extras)[2].origin, "extraIgnitionInline");
  auto merged = merge_extra(R"({"ignition":{"version":"3.4.0"}})", *extras);
  ASSERT_TRUE(merged);
  const auto j = json::parse(*merged);
  EXPECT_EQ(j["storage"]["files"].size(), 3u);
  EXPECT_EQ(j["storage"]["files"][2]["path"], "/c");
}

TEST_F(ExtraIgnitionTest, MissingFileAndBadPieceAreNamed)
{
  auto missing = load_extra_ignition(dir() / "nope.ign", "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            "extraIgnition: " + (dir() / "nope.ign").string() + ": no such file or directory");
  write("bad.ign", R"({"ignition":{"version":"3.4.0"},"systemd":{"units":[{"name":"x"}]}})");
  auto bad = load_extra_ignition(dir() / "bad.ign", "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            (dir() / "bad.ign").string() +
              ": invalid Ignition config: systemd.units[0].name: 'x' has no valid unit type "
              "suffix (.service, .path, .timer, ...)");
}

TEST_F(ExtraIgnitionTest, ExtraWinsOverTheBaseConfig)
{
  std::vector<ExtraIgnition> extras = {
    { "a.ign",
      R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/hostname","mode":384,"contents":{"source":"data:,custom"}}]}})" }
  };
  auto merged = merge_extra(
    R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/hostname","mode":420,"overwrite":true,"contents":{"source":"data:,node"}}]}})",
    extras);
  ASSERT_TRUE(merged) << merged.error().message();
  const auto j = json::parse(*merged);
  EXPECT_EQ(j["storage"]["files"][0]["mode"], 384);
  EXPECT_EQ(j["storage"]["files"][0]["overwrite"], true);
  EXPECT_EQ(j["storage"]["files"][0]["contents"]["source"], "data:,custom");
}

} // namespace
} // namespace ocne::ignition
