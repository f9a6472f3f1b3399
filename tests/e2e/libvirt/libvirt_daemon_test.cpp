// pkg/libvirt against a real libvirtd with QEMU: what the test driver cannot
// do (stream upload and download, an upload cut off half-way, DHCP leases).

#include "pkg/core/interrupt.hpp"
#include "pkg/libvirt/connection.hpp"
#include "tests/e2e/libvirt/daemon.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ocne::libvirt {
namespace {

class FailingSource final : public ByteSource
{
public:
  FailingSource(std::uint64_t size, std::uint64_t fail_at) : m_size(size), m_fail_at(fail_at)
  {
  }
  std::uint64_t
  size() const override
  {
    return m_size;
  }
  Result<std::size_t>
  read(char* buffer, std::size_t n) override
  {
    if (m_offset >= m_fail_at) {
      return make_error(ErrorKind::io, "disk.img: input/output error");
    }
    const auto take = std::min<std::uint64_t>(n, m_fail_at - m_offset);
    std::memset(buffer, 'x', take);
    m_offset += take;
    return static_cast<std::size_t>(take);
  }
  std::string
  describe() const override
  {
    return "disk.img";
  }

private:
  std::uint64_t m_size;
  std::uint64_t m_fail_at;
  std::uint64_t m_offset = 0;
};

class LibvirtDaemonTest : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_LIBVIRTD();
    auto conn = Connection::open(test::LibvirtDaemon::get().uri());
    ASSERT_TRUE(conn) << conn.error().message();
    m_conn.emplace(std::move(*conn));
    auto pool = m_conn->find_pool("daemon-test");
    ASSERT_TRUE(pool);
    if (!*pool) {
      auto defined = m_conn->define_pool("<pool type='dir'><name>daemon-test</name><target><path>"
                                         "/var/lib/libvirt/images/daemon-test</path></target></pool>");
      ASSERT_TRUE(defined) << defined.error().message();
      ASSERT_TRUE(defined->build());
      ASSERT_TRUE(defined->start());
      pool = m_conn->find_pool("daemon-test");
    }
    m_pool.emplace(std::move(**pool));
  }

  std::optional<Connection> m_conn;
  std::optional<Pool> m_pool;
};

TEST_F(LibvirtDaemonTest, UploadAndDownloadRoundTrip)
{
  std::string data(3 * 1024 * 1024 + 123, '\0');
  std::mt19937 rng(7);
  for (auto& c : data) {
    c = static_cast<char>(rng());
  }
  auto vol = m_pool->create_volume(fmt::format(
    "<volume><name>roundtrip.img</name><capacity unit='bytes'>{}</capacity><target><format type='raw'/></target></volume>",
    data.size()));
  ASSERT_TRUE(vol) << vol.error().message();
  MemorySource source(data, "random bytes");
  ASSERT_TRUE(vol->upload(source, null_progress(), "upload"));
  auto back = vol->download();
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->size(), data.size());
  EXPECT_TRUE(*back == data);
  ASSERT_TRUE(vol->remove());
}

TEST_F(LibvirtDaemonTest, UploadCutOffHalfWay)
{
  auto vol = m_pool->create_volume("<volume><name>cut.img</name><capacity unit='MiB'>8</capacity></volume>");
  ASSERT_TRUE(vol) << vol.error().message();
  FailingSource source(8 << 20, 3 << 20);
  auto status = vol->upload(source, null_progress(), "upload");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message(), "upload to volume cut.img stopped: disk.img: input/output error");
  // the daemon is still fine and the volume can go
  ASSERT_TRUE(vol->remove());
  EXPECT_FALSE(*m_pool->find_volume("cut.img"));
}

TEST_F(LibvirtDaemonTest, UploadInterruptedByCtrlC)
{
  auto vol = m_pool->create_volume("<volume><name>ctrlc.img</name><capacity unit='MiB'>4</capacity></volume>");
  ASSERT_TRUE(vol);
  std::string data(4 << 20, 'y');
  MemorySource source(data, "data");
  request_interrupt();
  auto status = vol->upload(source, null_progress(), "upload");
  reset_interrupt();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind(), ErrorKind::cancelled);
  EXPECT_EQ(status.error().message(), "upload of data to volume ctrlc.img interrupted");
  ASSERT_TRUE(vol->remove());
}

TEST_F(LibvirtDaemonTest, DhcpLeasesAnswer)
{
  auto net = m_conn->find_network("default");
  ASSERT_TRUE(net && *net);
  auto leases = (*net)->dhcp_leases();
  ASSERT_TRUE(leases) << leases.error().message();
}

} // namespace
} // namespace ocne::libvirt
