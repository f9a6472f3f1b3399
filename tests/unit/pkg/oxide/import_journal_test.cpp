#include "pkg/oxide/import_journal.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

namespace ocne::oxide {
namespace {

class ImportJournalTest : public ocne::test::TempDirTest
{};

TEST_F(ImportJournalTest, SavesLoadsAndTracksChunks)
{
  ImportJournal j(dir() / "imports", "https://h", "k8s", "img");
  auto none = j.load();
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  JournalRecord r{ .host = "https://h",
                   .project = "k8s",
                   .image_name = "img",
                   .digest = "sparse-sha256:00",
                   .source = "f.qcow2",
                   .disk_name = "ocne-import-1",
                   .snapshot_name = "ocne-import-1-snap",
                   .disk_size = 1ULL << 30,
                   .block_size = 512 };
  ASSERT_TRUE(j.save(r));
  ASSERT_TRUE(j.mark_written(3));
  ASSERT_TRUE(j.mark_written(1ULL << 40));
  struct stat st
  {};
  ASSERT_EQ(::stat(j.record_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);

  ImportJournal again(dir() / "imports", "https://h", "k8s", "img");
  auto loaded = again.load();
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->disk_name, "ocne-import-1");
  EXPECT_EQ((*loaded)->disk_size, 1ULL << 30);
  EXPECT_EQ(again.written().value(), (std::vector<std::uint64_t>{ 3, 1ULL << 40 }));
  // Another image has its own journal.
  ImportJournal other(dir() / "imports", "https://h", "k8s", "img2");
  EXPECT_FALSE(other.load().value());
  ASSERT_TRUE(j.remove());
  EXPECT_FALSE(again.load().value());
  EXPECT_TRUE(again.written().value().empty());
}

TEST_F(ImportJournalTest, DamagedRecordNamesTheFile)
{
  ImportJournal j(dir(), "h", "p", "i");
  write(j.record_path().filename().string(), "{not json");
  auto r = j.load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind(j.record_path().string() + ": damaged import journal", 0), 0U)
    << r.error().message();
}

TEST_F(ImportJournalTest, TornLastEntryIsIgnored)
{
  ImportJournal j(dir(), "h", "p", "i");
  ASSERT_TRUE(j.save(JournalRecord{ .disk_name = "d", .snapshot_name = "s" }));
  ASSERT_TRUE(j.mark_written(7));
  auto chunks = j.record_path();
  chunks.replace_extension(".chunks");
  {
    std::ofstream out(chunks, std::ios::app | std::ios::binary);
    out << "abc";
  }
  EXPECT_EQ(j.written().value(), std::vector<std::uint64_t>{ 7 });
}

} // namespace
} // namespace ocne::oxide
