#include "pkg/libvirt/connection.hpp"
#include "pkg/libvirt/xml.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::libvirt {
namespace {

class StorageTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    auto conn = Connection::open("test:///default");
    ASSERT_TRUE(conn) << conn.error().message();
    m_conn.emplace(std::move(*conn));
  }
  Connection&
  conn()
  {
    return *m_conn;
  }

private:
  std::optional<Connection> m_conn;
};

TEST_F(StorageTest, PoolLifecycle)
{
  auto pool =
    conn().define_pool("<pool type='dir'><name>lifecycle</name><target><path>/lifecycle</path></target></pool>");
  ASSERT_TRUE(pool) << pool.error().message();
  EXPECT_EQ(pool->name(), "lifecycle");
  EXPECT_FALSE(*pool->is_active());
  ASSERT_TRUE(pool->build());
  ASSERT_TRUE(pool->start());
  ASSERT_TRUE(pool->set_autostart(true));
  ASSERT_TRUE(pool->refresh());
  EXPECT_TRUE(*pool->is_active());
  EXPECT_EQ(*pool->target_path(), "/lifecycle");
  auto info = pool->info();
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->active);
  auto found = conn().find_pool("lifecycle");
  ASSERT_TRUE(found && *found);
  auto all = conn().pools();
  ASSERT_TRUE(all);
  bool listed = false;
  for (const auto& p : *all) {
    listed = listed || p.name() == "lifecycle";
  }
  EXPECT_TRUE(listed);
  ASSERT_TRUE(pool->stop());
  ASSERT_TRUE(pool->delete_storage());
  ASSERT_TRUE(pool->undefine());
  EXPECT_FALSE(*conn().find_pool("lifecycle"));
}

TEST_F(StorageTest, StartingAPoolTwiceIsAConflict)
{
  auto pool = conn().find_pool("default-pool");
  ASSERT_TRUE(pool && *pool);
  auto started = (*pool)->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind(), ErrorKind::conflict);
  EXPECT_EQ(started.error().message().rfind("cannot start storage pool default-pool: ", 0), 0u);
}

TEST_F(StorageTest, VolumesAndOverlays)
{
  auto pool = conn().find_pool("default-pool");
  ASSERT_TRUE(pool && *pool);
  auto base = (*pool)->create_volume("<volume><name>base.qcow2</name><capacity unit='MiB'>64</capacity>"
                                     "<target><format type='qcow2'/></target></volume>");
  ASSERT_TRUE(base) << base.error().message();
  EXPECT_EQ(*base->path(), "/default-pool/base.qcow2");
  auto overlay = (*pool)->create_volume(
    "<volume><name>node.qcow2</name><capacity unit='GiB'>20</capacity><target><format type='qcow2'/></target>"
    "<backingStore><path>/default-pool/base.qcow2</path><format type='qcow2'/></backingStore></volume>");
  ASSERT_TRUE(overlay) << overlay.error().message();
  auto info = overlay->info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->capacity, 20ULL << 30);
  auto xml = overlay->xml();
  ASSERT_TRUE(xml);
  auto doc = XmlDoc::parse(*xml, "volume");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->text("/volume/backingStore/path"), "/default-pool/base.qcow2");
  auto names = (*pool)->volume_names();
  ASSERT_TRUE(names);
  EXPECT_EQ(names->size(), 2u);
  auto found = (*pool)->find_volume("node.qcow2");
  ASSERT_TRUE(found && *found);
  ASSERT_TRUE((*found)->remove());
  ASSERT_TRUE(base->remove());
  auto gone = (*pool)->find_volume("node.qcow2");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

TEST_F(StorageTest, VolumeNameTaken)
{
  auto pool = conn().find_pool("default-pool");
  ASSERT_TRUE(pool && *pool);
  const char* xml = "<volume><name>taken.img</name><capacity>1024</capacity></volume>";
  ASSERT_TRUE((*pool)->create_volume(xml));
  auto again = (*pool)->create_volume(xml);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message().rfind("cannot create a volume in storage pool default-pool: ", 0), 0u);
}

TEST_F(StorageTest, VolumeInAMissingPool)
{
  auto pool = conn().find_pool("images");
  ASSERT_TRUE(pool);
  EXPECT_FALSE(*pool);
}

TEST_F(StorageTest, UploadIsUnsupportedByTheTestDriver)
{
  auto pool = conn().find_pool("default-pool");
  ASSERT_TRUE(pool && *pool);
  auto vol = (*pool)->create_volume("<volume><name>up.ign</name><capacity>10</capacity></volume>");
  ASSERT_TRUE(vol);
  MemorySource source("{\"x\":1}", "the Ignition config");
  auto status = vol->upload(source, null_progress(), "upload");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind(), ErrorKind::unavailable);
  EXPECT_EQ(status.error().message(),
            "cannot upload the Ignition config to volume up.ign: this function is not supported by the connection "
            "driver: virStorageVolUpload");
}

TEST_F(StorageTest, FileSourceErrors)
{
  auto missing = FileSource::open(dir() / "nope.qcow2");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(missing.error().message(), (dir() / "nope.qcow2").string() + ": no such file or directory");
  auto folder = FileSource::open(dir());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().message(), dir().string() + ": not a regular file");
  const auto file = write("data.bin", "0123456789");
  auto source = FileSource::open(file);
  ASSERT_TRUE(source);
  EXPECT_EQ(source->size(), 10u);
  char buffer[4];
  EXPECT_EQ(*source->read(buffer, 4), 4u);
  EXPECT_EQ(std::string(buffer, 4), "0123");
}

} // namespace
} // namespace ocne::libvirt
