#include "providers/libvirt/host.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::libvirt {
namespace {

std::string
caps(std::string_view host_arch, std::string_view features, std::string_view guest_domains)
{
  return fmt::format("<capabilities><host><cpu><arch>{}</arch><model>kvm64</model>{}</cpu></host>"
                     "<guest><os_type>hvm</os_type><arch name='{}'>{}</arch></guest></capabilities>",
                     host_arch,
                     features,
                     host_arch,
                     guest_domains);
}

TEST(Host, KvmWithHardwareVirtualisation)
{
  const auto choice =
    choose_domain_type(caps("x86_64", "<feature name='vmx'/>", "<domain type='qemu'/><domain type='kvm'/>"), "x86_64");
  EXPECT_EQ(choice.type, "kvm");
  EXPECT_EQ(choice.reason, "");
  EXPECT_EQ(choose_domain_type(caps("x86_64", "<feature name='svm'/>", "<domain type='kvm'/>"), "x86_64").type, "kvm");
}

TEST(Host, SoftwareKvmIsNotUsed)
{
  // /dev/kvm exists (libvirt offers kvm) but the CPU has no vmx/svm.
  const auto choice = choose_domain_type(
    caps("x86_64", "<feature name='hypervisor'/>", "<domain type='qemu'/><domain type='kvm'/>"), "x86_64");
  EXPECT_EQ(choice.type, "qemu");
  EXPECT_EQ(choice.reason, "the host CPU has no hardware virtualisation (vmx/svm)");
}

TEST(Host, NoKvmOffered)
{
  const auto choice = choose_domain_type(caps("x86_64", "<feature name='vmx'/>", "<domain type='qemu'/>"), "x86_64");
  EXPECT_EQ(choice.type, "qemu");
  EXPECT_EQ(choice.reason, "the hypervisor offers no kvm domains for x86_64");
  EXPECT_EQ(choose_domain_type(caps("aarch64", "", "<domain type='kvm'/>"), "aarch64").type, "kvm");
}

TEST(Host, DetectOnTheTestDriver)
{
  auto conn = ocne::libvirt::Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto unsupported = detect_host(*conn, "", "");
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().message(),
            "the libvirt host test:///default has architecture i686; ocne runs x86_64 and aarch64 nodes");
  auto forced = detect_host(*conn, "", "x86_64");
  ASSERT_TRUE(forced) << forced.error().message();
  EXPECT_EQ(forced->domain_type, "qemu");
  EXPECT_GT(forced->memory.total_kib, 0u);
  auto bad = detect_host(*conn, "xen", "x86_64");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "domain type 'xen' is not kvm or qemu");
}

TEST(Host, Addresses)
{
  EXPECT_EQ(*host_address(*ocne::libvirt::parse_uri("qemu:///system")), "127.0.0.1");
  EXPECT_EQ(*host_address(*ocne::libvirt::parse_uri("qemu+ssh://root@127.0.0.1/system")), "127.0.0.1");
  auto unknown = host_address(*ocne::libvirt::parse_uri("root@no-such-host.invalid"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(
    unknown.error().message().rfind(
      "cannot resolve the libvirt host no-such-host.invalid of qemu+ssh://root@no-such-host.invalid/system: ", 0),
    0u);
}

} // namespace
} // namespace ocne::providers::libvirt
