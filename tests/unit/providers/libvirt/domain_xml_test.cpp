#include "providers/libvirt/domain_xml.hpp"

#include "pkg/core/process.hpp"
#include "pkg/libvirt/connection.hpp"
#include "pkg/libvirt/xml.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::libvirt {
namespace {

using ocne::libvirt::XmlDoc;

class DomainXmlTest : public ocne::test::TempDirTest
{
protected:
  DomainSpec
  spec()
  {
    DomainSpec s;
    s.name = "demo-control-plane-1";
    s.cluster = "demo";
    s.role = "control-plane";
    s.domain_type = "kvm";
    s.vcpus = 2;
    s.memory_kib = 4194304;
    s.pool = "images";
    s.disk_volume = "demo-control-plane-1.qcow2";
    s.ignition_path = "/var/lib/libvirt/images/demo-control-plane-1-init.ign";
    s.network = "default";
    s.user_nic = UserNic{ "192.18.255.0/24", "127.0.0.1", 6443, 6443 };
    return s;
  }

  // virt-xml-validate checks the document against libvirt's domain schema.
  void
  expect_schema_valid(const std::string& xml, const std::string& name)
  {
    if (!program_exists("virt-xml-validate")) {
      GTEST_SKIP() << "virt-xml-validate is not installed (package libvirt-clients)";
    }
    const auto file = write(name + ".xml", xml);
    auto result = run_process({ .argv = { "virt-xml-validate", file.string(), "domain" } });
    ASSERT_TRUE(result);
    EXPECT_EQ(result->exit_code, 0) << result->out << result->err << xml;
  }
};

TEST_F(DomainXmlTest, InitNodeX86Kvm)
{
  const auto xml = render_domain_xml(spec());
  expect_schema_valid(xml, "init");
  auto doc = XmlDoc::parse(xml, "domain");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->text("/domain/@type"), "kvm");
  EXPECT_EQ(doc->text("/domain/memory"), "4194304");
  EXPECT_EQ(doc->text("/domain/memory/@unit"), "KiB");
  EXPECT_EQ(doc->text("/domain/vcpu"), "2");
  EXPECT_EQ(doc->text("/domain/os/@firmware"), "efi");
  EXPECT_EQ(doc->text("/domain/os/type/@machine"), "q35");
  EXPECT_EQ(doc->text("/domain/os/type/@arch"), "x86_64");
  EXPECT_EQ(doc->text("/domain/os/firmware/feature[@name='secure-boot']/@enabled"), "no");
  EXPECT_EQ(doc->count("/domain/features/acpi"), 1u);
  EXPECT_EQ(doc->text("/domain/features/smm/@state"), "off");
  EXPECT_EQ(doc->text("/domain/cpu/@mode"), "host-passthrough");
  EXPECT_EQ(doc->text("/domain/cpu/feature[@name='pdpe1gb']/@policy"), "disable");
  EXPECT_EQ(doc->text("/domain/sysinfo[@type='fwcfg']/entry[@name='opt/com.coreos/config']/@file"),
            "/var/lib/libvirt/images/demo-control-plane-1-init.ign");
  EXPECT_EQ(doc->text("/domain/devices/disk/source/@volume"), "demo-control-plane-1.qcow2");
  EXPECT_EQ(doc->text("/domain/devices/disk/target/@bus"), "scsi");
  EXPECT_EQ(doc->text("/domain/devices/controller[@type='scsi']/@model"), "virtio-scsi");
  EXPECT_EQ(doc->text("/domain/devices/interface/source/@network"), "default");
  EXPECT_EQ(doc->text("/domain/devices/interface/address/@bus"), "0x01");
  EXPECT_EQ(doc->count("//*[local-name()='commandline']"), 1u);
  EXPECT_NE(xml.find("user,id=ocneuser,net=192.18.255.0/24,hostfwd=tcp:127.0.0.1:6443-:6443"), std::string::npos);
  EXPECT_NE(xml.find("virtio-net-pci,netdev=ocneuser,addr=0x2"), std::string::npos);
  EXPECT_NE(xml.find("<ocne:cluster>demo</ocne:cluster>"), std::string::npos);
}

TEST_F(DomainXmlTest, JoinNodeTcgSecureBoot)
{
  auto s = spec();
  s.name = "demo-worker-1";
  s.role = "worker";
  s.domain_type = "qemu";
  s.secure_boot = true;
  s.user_nic.reset();
  const auto xml = render_domain_xml(s);
  expect_schema_valid(xml, "worker");
  auto doc = XmlDoc::parse(xml, "domain");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->text("/domain/@type"), "qemu");
  // TCG: no host-passthrough CPU
  EXPECT_EQ(doc->count("/domain/cpu"), 0u);
  EXPECT_EQ(doc->text("/domain/os/firmware/feature[@name='secure-boot']/@enabled"), "yes");
  EXPECT_EQ(doc->text("/domain/os/firmware/feature[@name='enrolled-keys']/@enabled"), "yes");
  EXPECT_EQ(doc->text("/domain/os/loader/@secure"), "yes");
  // secure boot needs SMM
  EXPECT_EQ(doc->text("/domain/features/smm/@state"), "on");
  EXPECT_EQ(xml.find("qemu:commandline"), std::string::npos);
}

TEST_F(DomainXmlTest, Aarch64)
{
  auto s = spec();
  s.arch = "aarch64";
  s.domain_type = "qemu";
  const auto xml = render_domain_xml(s);
  expect_schema_valid(xml, "arm");
  auto doc = XmlDoc::parse(xml, "domain");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->text("/domain/os/type/@machine"), "virt");
  EXPECT_EQ(doc->text("/domain/cpu/model"), "cortex-a57");
  EXPECT_EQ(doc->count("/domain/features/smm"), 0u);
  EXPECT_EQ(doc->count("/domain/devices/input"), 0u);
}

TEST_F(DomainXmlTest, NamesAreEscaped)
{
  auto s = spec();
  s.cluster = "a<b>&'c";
  const auto xml = render_domain_xml(s);
  auto doc = XmlDoc::parse(xml, "domain");
  ASSERT_TRUE(doc) << xml;
  EXPECT_EQ(doc->text("//*[local-name()='cluster']"), "a<b>&'c");
}

TEST_F(DomainXmlTest, TheTestDriverAcceptsIt)
{
  auto conn = ocne::libvirt::Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto s = spec();
  s.name = "xml-accepted";
  auto dom = conn->define_domain(render_domain_xml(s));
  ASSERT_TRUE(dom) << dom.error().message();
  auto stored = dom->xml(true);
  ASSERT_TRUE(stored);
  EXPECT_NE(stored->find("opt/com.coreos/config"), std::string::npos);
  EXPECT_NE(stored->find("oracle-cne/ocne/libvirt/1"), std::string::npos);
  ASSERT_TRUE(dom->undefine());
}

} // namespace
} // namespace ocne::providers::libvirt
