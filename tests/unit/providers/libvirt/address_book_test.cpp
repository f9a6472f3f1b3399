#include "providers/libvirt/address_book.hpp"

#include "pkg/core/fs.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace ocne::providers::libvirt {
namespace {

class AddressBookTest : public ocne::test::TempDirTest
{
protected:
  AddressBook book{ StateDir(dir() / "ocne") };

  AllocationRequest
  request(std::string cluster, std::string host = "localhost")
  {
    AllocationRequest r;
    r.cluster = std::move(cluster);
    r.host = std::move(host);
    r.pick_ip = [](const std::set<std::string>& taken) -> Result<std::string> {
      for (int i = 201;; ++i) {
        auto ip = fmt::format("192.168.122.{}", i);
        if (taken.count(ip) == 0) {
          return ip;
        }
      }
    };
    return r;
  }
};

TEST_F(AddressBookTest, ClustersGetDistinctAddressesPerHost)
{
  auto a = book.allocate(request("a"));
  auto b = book.allocate(request("b"));
  auto c = book.allocate(request("c", "other-host"));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->ip, "192.168.122.201");
  EXPECT_EQ(a->port, 6443u);
  EXPECT_EQ(b->ip, "192.168.122.202");
  EXPECT_EQ(b->port, 6444u);
  EXPECT_EQ(c->ip, "192.168.122.201");
  EXPECT_EQ(c->port, 6443u);
  // again: the same allocation
  EXPECT_EQ(book.allocate(request("a"))->port, 6443u);
  EXPECT_EQ(*fs::file_mode(book.file()), 0600u);
  // ocne's format
  const auto doc = YAML::LoadFile(book.file().string());
  EXPECT_TRUE(doc["hosts"]["localhost"]["ips"]["192.168.122.202"].as<bool>());
  EXPECT_TRUE(doc["hosts"]["localhost"]["ports"]["6444"].as<bool>());
  EXPECT_EQ(doc["clusters"]["b"]["port"].as<unsigned>(), 6444u);
  EXPECT_EQ(doc["clusters"]["c"]["host"].as<std::string>(), "other-host");
}

TEST_F(AddressBookTest, ReleaseFreesAndIsIdempotent)
{
  ASSERT_TRUE(book.allocate(request("a")));
  ASSERT_TRUE(book.release("a"));
  ASSERT_TRUE(book.release("a"));
  EXPECT_FALSE(*book.find("a"));
  auto again = book.allocate(request("b"));
  EXPECT_EQ(again->ip, "192.168.122.201");
  EXPECT_EQ(again->port, 6443u);
}

TEST_F(AddressBookTest, PortsInUseAreSkippedAndNoIpWhenNotAsked)
{
  auto r = request("a");
  r.pick_ip = nullptr;
  r.port_usable = [](unsigned port) { return port != 6443; };
  auto a = book.allocate(r);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ip, "");
  EXPECT_EQ(a->port, 6444u);
}

TEST_F(AddressBookTest, ReadsOcnesFile)
{
  write("ocne/ips.yaml",
        "hosts:\n  localhost:\n    ips:\n      192.168.122.201: true\n    ports:\n      6443: true\n"
        "clusters:\n  old:\n    host: localhost\n    ip: 192.168.122.201\n    port: 6443\n");
  auto a = book.allocate(request("new"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ip, "192.168.122.202");
  EXPECT_EQ(a->port, 6444u);
  EXPECT_EQ((*book.find("old"))->port, 6443u);
}

TEST_F(AddressBookTest, BrokenFileIsNamed)
{
  write("ocne/ips.yaml", "hosts: [\n");
  auto a = book.allocate(request("a"));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message().rfind(book.file().string() + ":", 0), 0u);
}

} // namespace
} // namespace ocne::providers::libvirt
