#include "pkg/image/boot_config.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

const std::string k_entry = "title Oracle Linux Server 8.10 (ostree:0)\n"
                            "version 1\n"
                            "options rw ip=dhcp ignition.platform.id=qemu ignition.firstboot=1 root=UUID=8d6e0b47-21fa-"
                            "4c3b-b5e9-7a1f3c9d2e60 ostree=/ostree/boot.1/ock/x/0\n"
                            "linux /ostree/ock-x/vmlinuz\n";

TEST(BootConfigTest, ReadsAndSetsThePlatformId)
{
  EXPECT_EQ(platform_id_of(k_entry), "qemu");
  const auto oci = set_platform_id(k_entry, "oci");
  EXPECT_EQ(platform_id_of(oci), "oci");
  EXPECT_NE(oci.find("options rw ip=dhcp ignition.platform.id=oci ignition.firstboot=1 root=UUID="), std::string::npos);
  EXPECT_NE(oci.find("title Oracle Linux Server 8.10 (ostree:0)\nversion 1\n"), std::string::npos);
  EXPECT_TRUE(oci.ends_with("linux /ostree/ock-x/vmlinuz\n"));
  // At the end of the line, and absent.
  EXPECT_EQ(set_platform_id("options a ignition.platform.id=qemu", "ibmcloud"),
            "options a ignition.platform.id=ibmcloud");
  EXPECT_EQ(set_platform_id("title t\noptions a b\n", "oci"), "title t\noptions a b ignition.platform.id=oci\n");
  // Only a whole argument counts, and only on options lines.
  EXPECT_EQ(set_platform_id("options xignition.platform.id=q\n", "oci"),
            "options xignition.platform.id=q ignition.platform.id=oci\n");
  EXPECT_EQ(set_platform_id("title ignition.platform.id=qemu\n", "oci"), "title ignition.platform.id=qemu\n");
  EXPECT_FALSE(platform_id_of("title x\n"));
}

TEST(BootConfigTest, AppendsKernelArguments)
{
  EXPECT_EQ(append_kernel_args("title t\noptions a b  \nlinux l", " console=ttyS1 x=y "),
            "title t\noptions a b console=ttyS1 x=y\nlinux l");
  EXPECT_EQ(append_kernel_args(k_entry, ""), k_entry);
}

TEST(BootConfigTest, ReplacesUuidsInAnyCase)
{
  const std::map<std::string, std::string> uuids = {
    { "8d6e0b47-21fa-4c3b-b5e9-7a1f3c9d2e60", "11111111-2222-3333-4444-555555555555" },
    { "3f2a9c1e-5b7d-4e80-9a61-0c4d2b8e7f15", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" }
  };
  const std::string fstab = "UUID=8d6e0b47-21fa-4c3b-b5e9-7a1f3c9d2e60 / xfs defaults 0 0\n"
                            "UUID=3F2A9C1E-5B7D-4E80-9A61-0C4D2B8E7F15 /boot xfs defaults 0 0\n"
                            "LABEL=EFI-SYSTEM /boot/efi vfat umask=0077 0 2\n";
  EXPECT_EQ(replace_uuids(fstab, uuids),
            "UUID=11111111-2222-3333-4444-555555555555 / xfs defaults 0 0\n"
            "UUID=AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE /boot xfs defaults 0 0\n"
            "LABEL=EFI-SYSTEM /boot/efi vfat umask=0077 0 2\n");
  const std::string grubenv =
    "# GRUB Environment Block\nkernelopts=root=UUID=8d6e0b47-21fa-4c3b-b5e9-7a1f3c9d2e60\n" + std::string(900, '#');
  EXPECT_EQ(replace_uuids(grubenv, uuids).size(), grubenv.size());
}

TEST(BootConfigTest, ValidatesPlatformIdsAndKernelArguments)
{
  EXPECT_TRUE(validate_platform_id("oci"));
  EXPECT_TRUE(validate_platform_id("ibmcloud"));
  EXPECT_EQ(validate_platform_id("o ci").error().message(),
            "invalid Ignition platform id 'o ci': use a lower-case word such as oci, ibmcloud or qemu");
  EXPECT_FALSE(validate_platform_id(""));
  EXPECT_FALSE(validate_platform_id("OCI"));
  EXPECT_TRUE(validate_kernel_args("console=ttyS0 a=\"b c\""));
  EXPECT_EQ(validate_kernel_args("a\nb").error().message(),
            "invalid kernel arguments 'a\\nb': they must be one line of printable characters");
}

} // namespace
} // namespace ocne::image
