#include "pkg/oxide/image_import.hpp"

#include "pkg/core/file_lock.hpp"
#include "pkg/core/process.hpp"
#include "pkg/oxide/content_digest.hpp"
#include "pkg/oxide/import_journal.hpp"
#include "tests/component/pkg/oxide/fixture.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

namespace ocne::oxide {
namespace {

using ocne::test::content_digest_of_file;
using ocne::test::oxide_fault;

constexpr std::uint64_t k_gib = 1ULL << 30;

class ImageImportTest : public test::OxideFixture
{
protected:
  // A sparse raw file with a few non-zero regions.
  std::filesystem::path
  make_raw(const std::string& name, std::uint64_t size, const std::vector<std::pair<std::uint64_t, char>>& fills)
  {
    const auto path = dir() / name;
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    for (const auto& [offset, byte] : fills) {
      const std::string data(std::min<std::uint64_t>(100 * 1024, size - offset), byte);
      EXPECT_EQ(::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset)), static_cast<ssize_t>(data.size()));
    }
    ::close(fd);
    return path;
  }

  ImportOptions
  options(const std::string& image = "node-image") const
  {
    ImportOptions o;
    o.project = "k8s";
    o.image_name = image;
    o.os = "Oracle Linux";
    o.version = "1.33";
    o.workers = 4;
    o.journal_dir = dir() / "journal";
    o.poll_interval = std::chrono::milliseconds(10);
    return o;
  }

  Result<ImportResult>
  import(const std::filesystem::path& file, const ImportOptions& o)
  {
    auto image = qcow2::open_image(file);
    if (!image) {
      return make_error(image.error());
    }
    return import_image(*m_client, **image, o, null_progress());
  }

  // Nothing temporary is left on the rack or in the journal folder.
  void
  expect_clean()
  {
    EXPECT_TRUE(m_server->disks().empty()) << m_server->disks().size() << " disks left";
    EXPECT_TRUE(m_server->snapshot_names().empty());
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir() / "journal", ec)) {
      EXPECT_EQ(e.path().extension(), ".lock") << e.path();
    }
  }
};

TEST_F(ImageImportTest, RawFileEndToEnd)
{
  // 5 MiB: data in chunks 0, 3 and the last (partial) one; chunk 1, 2 empty.
  const auto raw = make_raw("disk.raw", (5 << 20) + 4096, { { 0, 'a' }, { 3 << 19, 'b' }, { 5 << 20, 'c' } });
  auto r = import(raw, options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->reused);
  EXPECT_EQ(r->disk_size, k_gib);
  EXPECT_EQ(r->chunks_total, 11U);
  EXPECT_EQ(r->chunks_uploaded, 3U);
  EXPECT_EQ(r->chunks_zero, 8U);
  EXPECT_EQ(r->image.name, "node-image");
  EXPECT_EQ(r->image.size, k_gib);
  EXPECT_EQ(r->image.os, "Oracle Linux");
  // What the rack holds is the file, zero-padded to 1 GiB.
  EXPECT_EQ(r->digest, content_digest_of_file(raw, k_gib));
  EXPECT_EQ(m_server->content_digest("node-image"), r->digest);
  EXPECT_NE(r->image.description.find("[" + r->digest + "]"), std::string::npos) << r->image.description;
  EXPECT_EQ(m_server->count("disk_bulk_write_import"), 3);
  // The last chunk is cut at the file's end (4096 bytes), not sent as 512 KiB.
  EXPECT_EQ(r->bytes_uploaded, 2 * (512U << 10) + 4096U);
  expect_clean();
}

TEST_F(ImageImportTest, Qcow2MatchesQemuImgConvert)
{
  if (!program_exists("qemu-img") || !program_exists("qemu-io")) {
    GTEST_SKIP() << "qemu-img/qemu-io not installed (package qemu-utils)";
  }
  const auto qcow = (dir() / "disk.qcow2").string();
  ASSERT_EQ(
    run_process(ProcessOptions{ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", qcow, "1100M" } })->exit_code, 0);
  ASSERT_EQ(run_process(ProcessOptions{ .argv = { "qemu-io",
                                                  "-f",
                                                  "qcow2",
                                                  "-c",
                                                  "write -P 0x5a 0 1M",
                                                  "-c",
                                                  "write -P 0x11 700M 300k",
                                                  "-c",
                                                  "write -P 0x22 1099M 1M",
                                                  qcow } })
              ->exit_code,
            0);
  const auto raw = (dir() / "disk.raw").string();
  ASSERT_EQ(run_process(ProcessOptions{ .argv = { "qemu-img", "convert", "-O", "raw", qcow, raw } })->exit_code, 0);
  auto r = import(qcow, options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->disk_size, 2 * k_gib) << "virtual size 1100 MiB rounds up to 2 GiB";
  EXPECT_EQ(m_server->content_digest("node-image"), content_digest_of_file(raw, 2 * k_gib));
  EXPECT_EQ(m_server->read_content("node-image", 700 << 20, 4), std::string(4, '\x11'));
  expect_clean();
}

TEST_F(ImageImportTest, SameContentIsReused)
{
  const auto raw = make_raw("disk.raw", 2 << 20, { { 0, 'a' } });
  auto first = import(raw, options());
  ASSERT_TRUE(first) << first.error().message();
  const int writes = m_server->count("disk_bulk_write_import");
  // Same bytes from another file (a copy) are still the same image.
  const auto copy = make_raw("copy.raw", 2 << 20, { { 0, 'a' } });
  auto second = import(copy, options());
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_TRUE(second->reused);
  EXPECT_EQ(second->image.id, first->image.id);
  EXPECT_EQ(m_server->count("disk_bulk_write_import"), writes);
  EXPECT_EQ(m_server->count("disk_create"), 1);
  expect_clean();
}

TEST_F(ImageImportTest, NameTakenByOtherContent)
{
  ASSERT_TRUE(import(make_raw("a.raw", 1 << 20, { { 0, 'a' } }), options()));
  const auto id = m_server->images().at(0).id;
  auto r = import(make_raw("b.raw", 1 << 20, { { 0, 'b' } }), options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::already_exists);
  EXPECT_EQ(r.error().message(),
            "image \"node-image\" already exists in project \"k8s\" with different content (id " + id +
              "); choose another image name or delete that image");
  EXPECT_EQ(m_server->count("disk_create"), 1);
  expect_clean();
}

TEST_F(ImageImportTest, ZeroChunksCanBeSentToo)
{
  auto o = options();
  o.skip_zero_chunks = false;
  auto r = import(make_raw("disk.raw", 3 << 20, { { 1 << 20, 'x' } }), o);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->chunks_uploaded, 6U);
  EXPECT_EQ(m_server->count("disk_bulk_write_import"), 6);
  EXPECT_EQ(m_server->content_digest("node-image"), r->digest);
}

TEST_F(ImageImportTest, FailedImportUnwindsEverything)
{
  m_server->fail_operation("disk_bulk_write_import", 1000, 500);
  auto r = import(make_raw("disk.raw", 3 << 20, { { 0, 'a' }, { 2 << 20, 'b' } }), options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::transient);
  EXPECT_NE(r.error().message().find(": injected fault (HTTP 500, Internal, request id "), std::string::npos)
    << r.error().message();
  EXPECT_EQ(r.error().message().rfind("write ", 0), 0U) << r.error().message();
  // Stopped, finalized and deleted: nothing is left.
  EXPECT_GE(m_server->count("disk_bulk_write_import_stop"), 1);
  EXPECT_GE(m_server->count("disk_finalize_import"), 1);
  EXPECT_EQ(m_server->count("disk_delete"), 1);
  EXPECT_TRUE(m_server->images().empty());
  expect_clean();
}

TEST_F(ImageImportTest, FailureAfterFinalizeRemovesTheSnapshotToo)
{
  m_server->fail_operation("image_create", 1000, 500);
  auto r = import(make_raw("disk.raw", 1 << 20, { { 0, 'a' } }), options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind("create image \"node-image\" in project \"k8s\": injected fault", 0), 0U)
    << r.error().message();
  EXPECT_EQ(m_server->count("snapshot_delete"), 1);
  expect_clean();
}

TEST_F(ImageImportTest, SurvivesTenPercentFaults)
{
  // 10% of all requests fail: 503s, 500s and dropped connections.
  m_server->faults().fail_randomly(0.04, oxide_fault(503), "", "/v1/", 7);
  ocne::test::Fault drop;
  drop.kind = ocne::test::Fault::Kind::drop_mid_body;
  m_server->faults().fail_randomly(0.03, drop, "", "/v1/", 8);
  m_server->fail_operation_randomly("disk_bulk_write_import", 0.03, 500, 9);
  const auto raw =
    make_raw("disk.raw", 24 << 20, { { 0, 'a' }, { 5 << 20, 'b' }, { 9 << 20, 'c' }, { 20 << 20, 'd' } });
  // A bigger image than the others: 48 chunks, 8 with data.
  for (std::uint64_t off = 10 << 20; off < (12 << 20); off += 512 << 10) {
    const int fd = ::open(raw.c_str(), O_WRONLY);
    const std::string data(512 << 10, 'e');
    ASSERT_EQ(::pwrite(fd, data.data(), data.size(), static_cast<off_t>(off)), static_cast<ssize_t>(data.size()));
    ::close(fd);
  }
  auto r = import(raw, options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_GT(m_server->faults().injected() + m_server->operation_faults_injected(), 0);
  EXPECT_EQ(m_server->content_digest("node-image"), content_digest_of_file(raw, k_gib));
  m_server->faults().clear();
  m_server->clear_operation_faults();
  expect_clean();
}

TEST_F(ImageImportTest, ResumesFromTheJournal)
{
  const auto raw = make_raw("disk.raw", 4 << 20, { { 0, 'a' }, { 1 << 20, 'b' }, { 2 << 20, 'c' }, { 3 << 20, 'd' } });
  auto image = qcow2::open_image(raw);
  ASSERT_TRUE(image);
  // What a run killed half-way leaves: a journal, a disk taking bulk writes,
  // and two of the four data chunks written and recorded.
  const auto digest = content_digest_of_file(raw, k_gib);
  ImportJournal journal(dir() / "journal", m_client->host(), "k8s", "node-image");
  JournalRecord rec{ .host = m_client->host(),
                     .project = "k8s",
                     .image_name = "node-image",
                     .digest = digest,
                     .source = raw.string(),
                     .disk_name = "ocne-import-killed",
                     .snapshot_name = "ocne-import-killed-snap",
                     .disk_size = k_gib,
                     .block_size = 512 };
  ASSERT_TRUE(journal.save(rec));
  auto disk = m_client->create_import_disk("k8s", rec.disk_name, "ocne: temporary disk", k_gib, 512);
  ASSERT_TRUE(disk) << disk.error().message();
  rec.disk_id = disk->id;
  ASSERT_TRUE(journal.save(rec));
  ASSERT_TRUE(m_client->bulk_write_start(disk->id));
  std::string buffer(k_chunk_size, '\0');
  for (const std::uint64_t chunk : { 0, 4 }) {
    ASSERT_TRUE((*image)->read(chunk * k_chunk_size, buffer));
    ASSERT_TRUE(m_client->bulk_write(disk->id, chunk * k_chunk_size, buffer));
    ASSERT_TRUE(journal.mark_written(chunk));
  }
  const int writes_before = m_server->count("disk_bulk_write_import");

  auto r = import(raw, options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(r->chunks_already_written, 2U);
  EXPECT_EQ(r->chunks_uploaded, 2U) << "4 data chunks, 2 already there";
  EXPECT_EQ(m_server->count("disk_bulk_write_import") - writes_before, 2);
  EXPECT_EQ(m_server->count("disk_create"), 1) << "the interrupted run's disk was used";
  EXPECT_EQ(m_server->content_digest("node-image"), digest);
  expect_clean();
}

TEST_F(ImageImportTest, ChangedFileThrowsAwayTheOldAttempt)
{
  const auto raw = make_raw("disk.raw", 1 << 20, { { 0, 'a' } });
  ImportJournal journal(dir() / "journal", m_client->host(), "k8s", "node-image");
  JournalRecord rec{ .host = m_client->host(),
                     .project = "k8s",
                     .image_name = "node-image",
                     .digest = "sparse-sha256:stale",
                     .disk_name = "ocne-import-old",
                     .snapshot_name = "ocne-import-old-snap",
                     .disk_size = k_gib,
                     .block_size = 512 };
  ASSERT_TRUE(journal.save(rec));
  auto disk = m_client->create_import_disk("k8s", rec.disk_name, "old", k_gib, 512);
  ASSERT_TRUE(disk);
  ASSERT_TRUE(m_client->bulk_write_start(disk->id));
  auto r = import(raw, options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->resumed);
  EXPECT_EQ(m_server->content_digest("node-image"), content_digest_of_file(raw, k_gib));
  expect_clean();
}

TEST_F(ImageImportTest, ConcurrentUploadOfTheSameImageIsRefused)
{
  const auto raw = make_raw("disk.raw", 1 << 20, { { 0, 'a' } });
  ImportJournal journal(dir() / "journal", m_client->host(), "k8s", "node-image");
  auto held = FileLock::acquire(journal.lock_path(), std::chrono::milliseconds(0), "test");
  ASSERT_TRUE(held);
  auto r = import(raw, options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::conflict);
  EXPECT_EQ(r.error().message().rfind("the upload of image \"node-image\" to project \"k8s\" is in use by another "
                                      "ocne run (pid ",
                                      0),
            0U)
    << r.error().message();
  EXPECT_EQ(m_server->count("disk_create"), 0);
}

TEST_F(ImageImportTest, BadInputFailsBeforeAnyDiskIsCreated)
{
  const auto raw = make_raw("disk.raw", 1 << 20, { { 0, 'a' } });
  auto o = options();
  o.project = "nope";
  auto r = import(raw, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(r.error().message().rfind("look up project \"nope\": not found: project with name \"nope\" (HTTP 404", 0),
            0U)
    << r.error().message();

  o = options("Bad_Name");
  r = import(raw, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "image name \"Bad_Name\" is not a valid Oxide name (1-63 characters: a lower-case letter first, then "
            "letters, digits and '-', not ending in '-')");

  Client wrong(client_options("not-the-token"));
  auto image = qcow2::open_image(raw);
  ASSERT_TRUE(image);
  r = import_image(wrong, **image, options(), null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::auth);

  // A qcow2 whose compressed data is damaged fails in the read pass.
  if (program_exists("qemu-img") && program_exists("qemu-io")) {
    const auto plain = (dir() / "p.qcow2").string();
    const auto packed = (dir() / "c.qcow2").string();
    ASSERT_EQ(
      run_process(ProcessOptions{ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", plain, "4M" } })->exit_code, 0);
    ASSERT_EQ(
      run_process(ProcessOptions{ .argv = { "qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 1M", plain } })->exit_code,
      0);
    ASSERT_EQ(
      run_process(ProcessOptions{ .argv = { "qemu-img", "convert", "-c", "-O", "qcow2", plain, packed } })->exit_code,
      0);
    const auto size = std::filesystem::file_size(packed);
    const int fd = ::open(packed.c_str(), O_WRONLY);
    const std::string junk(1000, '\x42');
    ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), static_cast<off_t>(size - 2000)), 1000);
    ::close(fd);
    r = import(packed, options());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("corrupt or truncated qcow2 image: compressed cluster"), std::string::npos)
      << r.error().message();
  }
  EXPECT_EQ(m_server->count("disk_create"), 0);
  expect_clean();
}

} // namespace
} // namespace ocne::oxide
