#include "pkg/libvirt/uri.hpp"

#include <gtest/gtest.h>

namespace ocne::libvirt {
namespace {

TEST(Uri, DefaultIsSession)
{
  auto uri = parse_uri("");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->text, "qemu:///session");
  EXPECT_EQ(uri->driver, "qemu");
  EXPECT_EQ(uri->path, "/session");
  EXPECT_TRUE(uri->is_local());
}

TEST(Uri, ShorthandBecomesSshSystem)
{
  auto uri = parse_uri("admin@vmhost.example.com");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->text, "qemu+ssh://admin@vmhost.example.com/system");
  EXPECT_EQ(uri->transport, "ssh");
  EXPECT_EQ(uri->user, "admin");
  EXPECT_EQ(uri->host, "vmhost.example.com");
  EXPECT_FALSE(uri->is_local());
  EXPECT_EQ(parse_uri("vmhost")->text, "qemu+ssh://vmhost/system");
}

TEST(Uri, PortsQueriesAndIpv6)
{
  auto uri = parse_uri("qemu+ssh://root@[fd00::5]:2222/system?keyfile=/k&no_verify=1");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->host, "fd00::5");
  EXPECT_EQ(uri->port, 2222u);
  EXPECT_EQ(uri->query_param("keyfile"), "/k");
  EXPECT_EQ(uri->query_param("no_verify"), "1");
  EXPECT_EQ(uri->query_param("missing"), "");
  auto sys = parse_uri("qemu:///system?socket=/run/x.sock");
  ASSERT_TRUE(sys);
  EXPECT_EQ(sys->path, "/system");
  EXPECT_EQ(sys->query_param("socket"), "/run/x.sock");
  EXPECT_EQ(parse_uri("qemu+tcp://host:16509/system")->port, 16509u);
}

TEST(Uri, Errors)
{
  EXPECT_EQ(parse_uri("a b").error().message(),
            "libvirt URI 'a b' is neither a URI (qemu:///system, qemu+ssh://user@host/system) nor user@host");
  EXPECT_EQ(parse_uri("qemu+ssh://h:99999/system").error().message(),
            "libvirt URI 'qemu+ssh://h:99999/system' has an invalid port");
  EXPECT_EQ(parse_uri("://x").error().message(), "libvirt URI '://x' has no driver (qemu://, test://)");
}

TEST(Uri, StartHints)
{
  EXPECT_EQ(start_hint(*parse_uri("test:///default")), "");
  EXPECT_EQ(start_hint(*parse_uri("qemu:///system")),
            "start it with 'sudo systemctl start libvirtd' (or 'sudo systemctl start virtqemud.socket "
            "virtnetworkd.socket virtstoraged.socket' on hosts with modular daemons) and check that your user may use "
            "it (group libvirt)");
  EXPECT_EQ(start_hint(*parse_uri("me@host")),
            "check that 'ssh me@host' logs in without a prompt and that libvirtd runs there ('sudo systemctl start "
            "libvirtd' on host)");
  EXPECT_EQ(start_hint(*parse_uri("qemu:///system?socket=/tmp/s")),
            "no libvirt daemon answers on the socket /tmp/s; start the daemon that owns it");
}

} // namespace
} // namespace ocne::libvirt
