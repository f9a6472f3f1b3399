#include "providers/oci/image_metadata.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "providers/oci/dhcp_hooks.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::providers::oci {
namespace {

using nlohmann::json;

class OciMetadataTest : public test::TempDirTest
{};

TEST_F(OciMetadataTest, DescribesAUefiParavirtualizedOracleLinuxImage)
{
  const auto j = json::parse(image_metadata(image::Arch::amd64, false));
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["operatingSystem"], "Oracle Linux");
  EXPECT_EQ(j["operatingSystemVersion"], "8");
  EXPECT_EQ(j["imageCapsFormatVersion"], "34dd2cea-aff2-4f45-b8f6-1cb5290bfab2");
  EXPECT_EQ(j["externalLaunchOptions"]["firmware"], "UEFI_64");
  EXPECT_EQ(j["externalLaunchOptions"]["networkType"], "VFIO");
  EXPECT_EQ(j["externalLaunchOptions"]["bootVolumeType"], "ISCSI");
  EXPECT_EQ(j["externalLaunchOptions"]["launchOptionsSource"], "NATIVE");
  // The capability data is a JSON document in a string.
  const auto caps = json::parse(j["imageCapabilityData"].get<std::string>());
  EXPECT_EQ(caps["Compute.Firmware"]["values"], json::array({ "UEFI_64" }));
  EXPECT_EQ(caps["Compute.LaunchMode"]["defaultValue"], "PARAVIRTUALIZED");
  const auto& shapes = j["additionalMetadata"]["shapeCompatibilities"];
  EXPECT_NE(std::find(shapes.begin(), shapes.end(), json{ { "internalShapeName", "VM.Standard.E4.Flex" } }),
            shapes.end());

  const auto arm = json::parse(image_metadata(image::Arch::arm64, false));
  EXPECT_EQ(arm["additionalMetadata"]["shapeCompatibilities"][0]["internalShapeName"], "VM.Standard.A1.Flex");
  const auto pca = json::parse(image_metadata(image::Arch::amd64, true));
  EXPECT_FALSE(pca.contains("imageCapsFormatVersion"));
  EXPECT_EQ(pca["externalLaunchOptions"]["networkType"], "PARAVIRTUALIZED");
  EXPECT_EQ(pca["externalLaunchOptions"]["launchOptionsSource"], "CUSTOM");
  EXPECT_EQ(pca["additionalMetadata"]["shapeCompatibilities"],
            json::array({ json{ { "internalShapeName", "VM.PCAStandard.E5.Flex" } } }));
}

// The DHCP hooks do their job: NetworkManager's DHCP4_* options reach the
// oci hook as new_* variables, and the host name and /etc/hosts are set.
TEST_F(OciMetadataTest, DhcpHooksApplyTheHostNameFromDhcp)
{
  const auto hooks = dhcp_hooks();
  ASSERT_EQ(hooks.size(), 3U);
  for (const auto& h : hooks) {
    EXPECT_EQ(h.mode, 0755) << h.path;
    write("root/" + h.path, h.content, 0755);
  }
  // Stand-ins for hostname and hostnamectl that record what they were asked.
  write("bin/hostnamectl", "#!/bin/sh\necho \"$@\" >> \"$LOG\"\n", 0755);
  write("bin/hostname", "#!/bin/sh\necho old-name\n", 0755);
  // The real hook calls /etc/oci-dhclient.sh; this one calls our copy.
  write("hooks/oci.sh", std::string("oci_config() { \"$ROOT/etc/oci-dhclient.sh\" config; }\noci_restore() { :; }\n"));
  write("hosts", "127.0.0.1 localhost\n");

  ProcessOptions p;
  p.argv = { "bash", (dir() / "root/etc/NetworkManager/dispatcher.d/11-dhclient").string(), "ens3", "up" };
  p.env_add = { { "PATH", (dir() / "bin").string() + ":/usr/bin:/bin" },
                { "LOG", (dir() / "log").string() },
                { "ROOT", (dir() / "root").string() },
                { "DHCLIENT_HOOK_DIR", (dir() / "hooks").string() },
                { "OCI_HOSTS_FILE", (dir() / "hosts").string() },
                { "OCI_HOSTNAME_CONF", (dir() / "none.conf").string() },
                { "DHCP4_HOST_NAME", "node-1" },
                { "DHCP4_DOMAIN_NAME", "sub.vcn.oraclevcn.com" },
                { "DHCP4_IP_ADDRESS", "10.0.0.7" } };
  auto r = run_process(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(*fs::read_file(dir() / "log"), "set-hostname node-1.sub.vcn.oraclevcn.com\n");
  EXPECT_EQ(*fs::read_file(dir() / "hosts"), "127.0.0.1 localhost\n10.0.0.7 node-1.sub.vcn.oraclevcn.com node-1\n");

  // PRESERVE_HOSTINFO keeps the name; "down" runs no config.
  write("keep.conf", "PRESERVE_HOSTINFO=2\n");
  p.env_add["OCI_HOSTNAME_CONF"] = (dir() / "keep.conf").string();
  p.env_add["DHCP4_HOST_NAME"] = "node-2";
  ASSERT_TRUE(run_process(p));
  p.argv[3] = "down";
  p.env_add["OCI_HOSTNAME_CONF"] = (dir() / "none.conf").string();
  ASSERT_TRUE(run_process(p));
  EXPECT_EQ(*fs::read_file(dir() / "log"), "set-hostname node-1.sub.vcn.oraclevcn.com\n");

  // The real hook file is valid shell that defines both functions.
  p.argv = { "bash",
             "-c",
             ". \"$1\" && declare -F oci_config oci_restore",
             "x",
             (dir() / "root/etc/dhcp/dhclient.d/oci.sh").string() };
  r = run_process(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out, "oci_config\noci_restore\n");
}

} // namespace
} // namespace ocne::providers::oci
