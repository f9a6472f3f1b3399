#include "pkg/libvirt/connection.hpp"

#include <gtest/gtest.h>

namespace ocne::libvirt {
namespace {

std::string
domain_xml(std::string_view name)
{
  return fmt::format("<domain type='kvm'><name>{}</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                     "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                     "<sysinfo type='fwcfg'><entry name='opt/com.coreos/config' file='/x.ign'/></sysinfo>"
                     "<devices><interface type='network'><source network='default'/>"
                     "<mac address='52:54:00:00:00:01'/></interface></devices></domain>",
                     name);
}

TEST(Domain, Lifecycle)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto dom = conn->define_domain(domain_xml("lifecycle"));
  ASSERT_TRUE(dom) << dom.error().message();
  auto uuid = dom->uuid();
  ASSERT_TRUE(uuid);
  EXPECT_EQ(uuid->size(), 36u);
  EXPECT_FALSE(*dom->is_active());
  ASSERT_TRUE(dom->start());
  EXPECT_TRUE(*dom->is_active());
  auto xml = dom->xml(true);
  ASSERT_TRUE(xml);
  EXPECT_NE(xml->find("opt/com.coreos/config"), std::string::npos);
  auto addresses = dom->interface_addresses();
  ASSERT_TRUE(addresses) << addresses.error().message();
  ASSERT_EQ(addresses->size(), 1u);
  EXPECT_EQ((*addresses)[0].mac, "52:54:00:00:00:01");
  EXPECT_FALSE((*addresses)[0].addresses.empty());
  ASSERT_TRUE(dom->destroy());
  // destroying a stopped domain is fine
  ASSERT_TRUE(dom->destroy());
  // the test driver rejects the NVRAM flag; undefine falls back
  ASSERT_TRUE(dom->undefine());
  EXPECT_FALSE(*conn->find_domain("lifecycle"));
}

TEST(Domain, NameTaken)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->define_domain(domain_xml("taken")));
  auto started = conn->find_domain("taken");
  ASSERT_TRUE(started && *started);
  ASSERT_TRUE((*started)->start());
  // defining a different domain (other UUID) under a running name fails
  auto again = conn->define_domain(domain_xml("taken"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message().rfind("cannot define a domain on test:///default: ", 0), 0u)
    << again.error().message();
}

TEST(Domain, ListsEveryDomain)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->define_domain(domain_xml("listed")));
  auto all = conn->domains();
  ASSERT_TRUE(all);
  std::vector<std::string> names;
  for (const auto& d : *all) {
    names.push_back(d.name());
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "listed"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "test"), names.end());
}

TEST(Domain, ConsoleIsUnsupportedByTheTestDriver)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto dom = conn->find_domain("test");
  ASSERT_TRUE(dom && *dom);
  auto console = (*dom)->open_console();
  ASSERT_FALSE(console);
  EXPECT_EQ(console.error().kind(), ErrorKind::unavailable);
}

TEST(Domain, BadXml)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto dom = conn->define_domain("<domain type='kvm'><name>x</name>");
  ASSERT_FALSE(dom);
  EXPECT_EQ(dom.error().message().rfind("cannot define a domain on test:///default: ", 0), 0u);
}

} // namespace
} // namespace ocne::libvirt
