// Provider images from an OCK-like boot disk, edited with libguestfs and
// read back independently with guestfish.

#include "pkg/image/provider_image.hpp"

#include "pkg/image/disk_edit.hpp"
#include "pkg/image/disk_info.hpp"
#include "providers/registry/registry.hpp"
#include "tests/support/image/background_process.hpp"
#include "tests/support/image/oci_layout_builder.hpp"
#include "tests/support/image/ock_disk.hpp"
#include "tests/support/image/test_images.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::image {
namespace {

// Splits guestfish output at "==name==" marker lines. (guestfish's cat
// prints an extra newline after the file.)
std::map<std::string, std::string>
sections(const std::string& out)
{
  std::map<std::string, std::string> s;
  std::string current;
  std::size_t start = 0;
  while (start < out.size()) {
    auto end = out.find('\n', start);
    if (end == std::string::npos) {
      end = out.size();
    }
    const auto line = out.substr(start, end - start);
    if (line.size() > 4 && line.starts_with("==") && line.ends_with("==")) {
      current = line.substr(2, line.size() - 4);
      s[current];
    } else {
      s[current] += line + "\n";
    }
    start = end + 1;
  }
  return s;
}

std::string
trimmed(std::string s)
{
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

class ProviderImageTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_GUESTFS();
    disks = test::ock_disks();
    test::OciLayoutBuilder b(dir() / "layout");
    b.tag("1.33", b.add_image("amd64", { test::LayerSpec{ { test::TarEntry{ "disk/boot.qcow2", "", disks.ock } } } }));
  }

  ProviderImageOptions
  options(std::string_view cloud)
  {
    ProviderImageOptions o;
    o.recipe = providers::find(cloud)->boot_image_recipe();
    o.boot.source = "oci:" + (dir() / "layout").string() + ":1.33";
    o.boot.version = "1.33";
    o.boot.images_dir = dir() / "images";
    return o;
  }

  test::OckDisks disks;
};

TEST_F(ProviderImageTest, BuildsOciAndOxideImagesAndCustomizesAPlainDisk)
{
  // OCI: qcow2, platform id oci, new UUIDs, DHCP hooks, metadata.
  auto oci = create_provider_image(options("oci"), null_progress());
  ASSERT_TRUE(oci) << oci.error().message();
  EXPECT_FALSE(oci->cached);
  EXPECT_EQ(oci->path, dir() / "images" / "boot.qcow2-1.33-amd64.oci");
  EXPECT_EQ(oci->format, DiskFormat::qcow2);
  EXPECT_EQ(oci->virtual_size, 720ULL << 20);
  EXPECT_EQ(oci->metadata, dir() / "images" / "boot.qcow2-1.33-amd64.oci.json");
  EXPECT_EQ(nlohmann::json::parse(*fs::read_file(oci->metadata))["externalLaunchOptions"]["firmware"], "UEFI_64");
  ASSERT_EQ(oci->uuids.size(), 2U);
  const auto new_boot = oci->uuids.at(disks.boot_uuid);
  const auto new_root = oci->uuids.at(disks.root_uuid);
  // The pulled boot disk stays as it was: the edit worked on a copy.
  EXPECT_TRUE(test::same_file_content(oci->base.path, disks.ock));

  // Oxide: raw, platform id ibmcloud.
  auto oxide = create_provider_image(options("oxide"), null_progress());
  ASSERT_TRUE(oxide) << oxide.error().message();
  EXPECT_EQ(oxide->path, dir() / "images" / "boot.qcow2-1.33-amd64.oxide");
  EXPECT_EQ(oxide->format, DiskFormat::raw);
  EXPECT_EQ(std::filesystem::file_size(oxide->path), 720ULL << 20);
  EXPECT_TRUE(oxide->metadata.empty());
  ASSERT_EQ(oxide->uuids.size(), 2U);

  // libvirt: the boot disk itself, no launch.
  auto libvirt = create_provider_image(options("libvirt"), null_progress());
  ASSERT_TRUE(libvirt) << libvirt.error().message();
  EXPECT_EQ(libvirt->path, dir() / "images" / "boot.qcow2-1.33-amd64");

  // A plain (non-ostree) ext4 disk with extra kernel arguments.
  const auto plain = dir() / "plain.qcow2";
  std::filesystem::copy_file(disks.plain, plain);
  DiskCustomization c;
  c.platform_id = "oci";
  c.kernel_args = "console=ttyS1 quiet";
  c.files = { ExtraFile{ "etc/ocne-test", "hello\n", 0600 } };
  auto report = customize_disk(plain, DiskFormat::qcow2, c, null_progress());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->boot_entries, (std::vector<std::string>{ "/dev/sda1:/boot/loader/entries/plain.conf" }));
  EXPECT_EQ(report->removed_files, (std::vector<std::string>{ "/dev/sda1:/etc/machine-id" }));
  EXPECT_EQ(report->added_files, (std::vector<std::string>{ "/dev/sda1:/etc/ocne-test" }));
  ASSERT_EQ(report->uuids.size(), 1U);
  const auto new_plain = report->uuids.at(disks.plain_uuid);

  // Read all three back in one guestfish launch.
  const auto& d = disks.deployment;
  std::string script;
  for (const std::string dev : { "sda", "sdb" }) {
    script += "echo ==" + dev + "-uuids==\nvfs-uuid /dev/" + dev + "2\nvfs-uuid /dev/" + dev +
              "3\n"
              "echo ==" +
              dev + "-labels==\nvfs-label /dev/" + dev + "1\nvfs-label /dev/" + dev + "2\nvfs-label /dev/" + dev +
              "3\n"
              "mount /dev/" +
              dev + "2 /\necho ==" + dev +
              "-bls==\ncat /loader/entries/ostree-1-ock.conf\numount /\n"
              "mount /dev/" +
              dev + "3 /\necho ==" + dev + "-fstab==\ncat " + d +
              "/etc/fstab\n"
              "echo ==" +
              dev + "-machine-id==\nexists " + d +
              "/etc/machine-id\n"
              "echo ==" +
              dev + "-hooks==\nexists " + d + "/etc/oci-dhclient.sh\nexists " + d +
              "/etc/dhcp/dhclient.d/oci.sh\nexists " + d +
              "/etc/NetworkManager/dispatcher.d/11-dhclient\numount /\n"
              "mount /dev/" +
              dev + "1 /\necho ==" + dev + "-efi==\ncat /EFI/redhat/grub.cfg\numount /\n";
  }
  script += "mount /dev/sdc1 /\necho ==sdc-uuid==\nvfs-uuid /dev/sdc1\necho ==sdc-bls==\n"
            "cat /boot/loader/entries/plain.conf\necho ==sdc-fstab==\ncat /etc/fstab\necho ==sdc-machine-id==\n"
            "exists /etc/machine-id\necho ==sdc-extra==\ncat /etc/ocne-test\nstat /etc/ocne-test\n";
  script += "mount /dev/sda3 /\necho ==sda-hook-mode==\nstat " + d + "/etc/oci-dhclient.sh\n";
  const auto out = sections(test::guestfish({ oci->path, oxide->path, plain }, script));

  EXPECT_EQ(trimmed(out.at("sda-uuids")), new_boot + "\n" + new_root);
  EXPECT_NE(new_boot, disks.boot_uuid);
  EXPECT_NE(new_root, disks.root_uuid);
  EXPECT_EQ(trimmed(out.at("sda-labels")), "EFI-SYSTEM\nboot\nroot");
  const auto& bls = out.at("sda-bls");
  EXPECT_NE(bls.find(" ignition.platform.id=oci "), std::string::npos) << bls;
  EXPECT_EQ(bls.find("ignition.platform.id=qemu"), std::string::npos) << bls;
  EXPECT_NE(bls.find("root=UUID=" + new_root + " "), std::string::npos) << bls;
  EXPECT_EQ(trimmed(out.at("sda-fstab")) + "\n",
            "UUID=" + new_root + " / xfs defaults 0 0\nUUID=" + new_boot +
              " /boot xfs defaults 0 0\nLABEL=EFI-SYSTEM /boot/efi vfat "
              "umask=0077,shortname=winnt 0 2\n");
  EXPECT_EQ(trimmed(out.at("sda-machine-id")), "false");
  EXPECT_EQ(trimmed(out.at("sda-hooks")), "true\ntrue\ntrue");
  EXPECT_NE(out.at("sda-efi").find("--set=dev " + new_boot + "\n"), std::string::npos) << out.at("sda-efi");
  EXPECT_NE(out.at("sda-hook-mode").find("mode: 33261"), std::string::npos) << out.at("sda-hook-mode"); // 0100755

  const auto oxide_boot = oxide->uuids.at(disks.boot_uuid);
  const auto oxide_root = oxide->uuids.at(disks.root_uuid);
  EXPECT_EQ(trimmed(out.at("sdb-uuids")), oxide_boot + "\n" + oxide_root);
  EXPECT_NE(out.at("sdb-bls").find(" ignition.platform.id=ibmcloud "), std::string::npos) << out.at("sdb-bls");
  EXPECT_NE(out.at("sdb-bls").find("root=UUID=" + oxide_root + " "), std::string::npos);
  EXPECT_NE(out.at("sdb-fstab").find("UUID=" + oxide_boot + " /boot xfs"), std::string::npos);
  EXPECT_EQ(trimmed(out.at("sdb-machine-id")), "false");
  EXPECT_EQ(trimmed(out.at("sdb-hooks")), "false\nfalse\nfalse");
  EXPECT_NE(out.at("sdb-efi").find("--set=dev " + oxide_boot + "\n"), std::string::npos);

  EXPECT_EQ(trimmed(out.at("sdc-uuid")), new_plain);
  EXPECT_EQ(trimmed(out.at("sdc-bls")) + "\n",
            "title Plain Linux\nversion 6.1\nlinux /vmlinuz-6.1\ninitrd /initramfs-6.1.img\n"
            "options root=UUID=" +
              new_plain + " ro console=ttyS0 ignition.platform.id=oci console=ttyS1 quiet\n");
  EXPECT_EQ(trimmed(out.at("sdc-fstab")) + "\n", "UUID=" + new_plain + " / ext4 defaults 1 1\n");
  EXPECT_EQ(trimmed(out.at("sdc-machine-id")), "false");
  EXPECT_NE(out.at("sdc-extra").find("hello\n"), std::string::npos);
  EXPECT_NE(out.at("sdc-extra").find("mode: 33152"), std::string::npos) << out.at("sdc-extra"); // 0100600

  // Asking again reuses the outputs: nothing is rebuilt.
  const auto mtime = std::filesystem::last_write_time(oci->path);
  auto again = create_provider_image(options("oci"), null_progress());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->cached);
  EXPECT_EQ(again->uuids, oci->uuids);
  EXPECT_EQ(std::filesystem::last_write_time(oci->path), mtime);
}

TEST_F(ProviderImageTest, RefusesDisksThatAreNotBootDisks)
{
  // Not a qcow2 at all: refused before libguestfs starts.
  const auto bad = write("bad.qcow2", std::string(4096, 'z'));
  auto o = options("oci");
  test::OciLayoutBuilder b(dir() / "bad-layout");
  b.tag("x", b.add_image("amd64", { test::LayerSpec{ { test::TarEntry{ "disk/boot.qcow2", "", bad } } } }));
  o.boot.source = "oci:" + (dir() / "bad-layout").string() + ":x";
  o.boot.version = "bad";
  auto r = create_provider_image(o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "disk/boot.qcow2 in oci:" + (dir() / "bad-layout").string() +
              ":x (linux/amd64): not a usable qcow2 image (bad magic)");
  // A valid but empty qcow2: libguestfs finds no boot entries.
  const auto blank = dir() / "blank.qcow2";
  test::run_checked({ "qemu-img", "create", "-q", "-f", "qcow2", blank.string(), "64M" });
  auto report = customize_disk(blank, DiskFormat::qcow2, DiskCustomization{ "oci" }, null_progress());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message(),
            blank.string() + ": no boot loader entries (loader/entries/*.conf) on any file system; is it "
                             "an OCK boot disk?");
  EXPECT_EQ(customize_disk(blank, DiskFormat::qcow2, DiskCustomization{ "o ci" }, null_progress()).error().message(),
            "invalid Ignition platform id 'o ci': use a lower-case word such as oci, ibmcloud or qemu");
}

} // namespace
} // namespace ocne::image
