#include "pkg/libvirt/connection.hpp"

#include "pkg/libvirt/xml.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::libvirt {
namespace {

class ConnectionTest : public test::TempDirTest
{};

TEST_F(ConnectionTest, TestDriverAnswers)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn) << conn.error().message();
  EXPECT_EQ(conn->driver_type(), "TEST");
  EXPECT_EQ(conn->uri().text, "test:///default");
  auto caps = conn->capabilities();
  ASSERT_TRUE(caps);
  auto doc = XmlDoc::parse(*caps, "caps");
  ASSERT_TRUE(doc);
  EXPECT_TRUE(doc->text("/capabilities/host/cpu/arch"));
  auto host = conn->hostname();
  ASSERT_TRUE(host);
  EXPECT_FALSE(host->empty());
}

TEST_F(ConnectionTest, HostMemoryFromACustomNode)
{
  const auto node = write("node.xml", R"(<node>
  <cpu><mhz>2000</mhz><model>x86_64</model><active>2</active><nodes>1</nodes><sockets>1</sockets>
       <cores>2</cores><threads>1</threads></cpu>
  <memory>2097152</memory>
</node>)");
  auto conn = Connection::open("test://" + node.string());
  ASSERT_TRUE(conn) << conn.error().message();
  auto memory = conn->host_memory();
  ASSERT_TRUE(memory) << memory.error().message();
  EXPECT_EQ(memory->total_kib, 2097152u);
}

TEST_F(ConnectionTest, UnreachableDaemonNamesUriAndHowToStartIt)
{
  const auto socket = dir() / "no-daemon.sock";
  const std::string uri = "qemu:///system?socket=" + socket.string();
  auto conn = Connection::open(uri);
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().kind(), ErrorKind::unavailable);
  const auto& message = conn.error().message();
  EXPECT_EQ(message.rfind("cannot connect to libvirt at " + uri + ": ", 0), 0u) << message;
  EXPECT_NE(
    message.find("; no libvirt daemon answers on the socket " + socket.string() + "; start the daemon that owns it"),
    std::string::npos)
    << message;
  // one line
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST_F(ConnectionTest, BadUri)
{
  auto conn = Connection::open("a b");
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().kind(), ErrorKind::invalid_input);
}

TEST_F(ConnectionTest, MissingObjectsAreNullopt)
{
  auto conn = Connection::open("test:///default");
  ASSERT_TRUE(conn);
  auto pool = conn->find_pool("no-such-pool");
  ASSERT_TRUE(pool) << pool.error().message();
  EXPECT_FALSE(*pool);
  auto net = conn->find_network("no-such-net");
  ASSERT_TRUE(net);
  EXPECT_FALSE(*net);
  auto dom = conn->find_domain("no-such-domain");
  ASSERT_TRUE(dom);
  EXPECT_FALSE(*dom);
}

} // namespace
} // namespace ocne::libvirt
