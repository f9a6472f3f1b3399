#include "pkg/oci/upload.hpp"

#include "pkg/core/file_lock.hpp"
#include "tests/component/pkg/oci/oci_fixture.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ocne::oci {
namespace {

using ::ocne::test::Fault;

constexpr std::uint64_t k_part = 10 * k_mib;

// Records what a progress sink is told.
class RecordingProgress : public ProgressSink
{
public:
  void
  begin(std::uint64_t, std::string_view label, std::uint64_t total, ProgressUnit) override
  {
    const std::lock_guard lock(m_mutex);
    labels.emplace_back(label);
    totals.push_back(total);
  }
  void
  update(std::uint64_t, std::uint64_t done, std::uint64_t) override
  {
    const std::lock_guard lock(m_mutex);
    max_done = std::max(max_done, done);
    ++updates;
  }
  void
  end(std::uint64_t, bool ok, std::string_view detail) override
  {
    const std::lock_guard lock(m_mutex);
    ends.emplace_back(std::string(ok ? "ok: " : "failed: ") + std::string(detail));
  }
  std::vector<std::string> labels;
  std::vector<std::uint64_t> totals;
  std::vector<std::string> ends;
  std::uint64_t max_done = 0;
  int updates = 0;

private:
  std::mutex m_mutex;
};

class UploadTest : public test::OciServerTest
{
protected:
  void
  SetUp() override
  {
    OciServerTest::SetUp();
    server->add_bucket(tenancy(), "images");
    storage = std::make_unique<ObjectStorage>(*client);
  }

  UploadOptions
  options(const std::string& file, const std::string& object = "disk.qcow2")
  {
    UploadOptions o;
    o.namespace_name = "ocnetestns";
    o.bucket = "images";
    o.object_name = object;
    o.file = file;
    o.part_size = k_part;
    o.parallelism = 4;
    o.part_retry_delay = std::chrono::milliseconds(10);
    o.state_dir = dir() / "state";
    return o;
  }

  std::unique_ptr<ObjectStorage> storage;
};

TEST_F(UploadTest, SmallFileIsOnePutObjectWithContentMd5)
{
  const auto file = sparse_file("small.img", 3 * k_mib + 17, k_mib);
  RecordingProgress progress;
  auto r = upload_file(*storage, options(file), progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->multipart);
  EXPECT_EQ(server->count("PutObject"), 1);
  EXPECT_EQ(server->count("CreateMultipartUpload"), 0);
  const auto obj = server->object("images", "disk.qcow2");
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->size, 3 * k_mib + 17);
  EXPECT_EQ(obj->content_md5, r->md5);
  EXPECT_EQ(server->object_content_md5("images", "disk.qcow2"), test::file_md5_hex(file));
  EXPECT_EQ(progress.labels, std::vector<std::string>{ "Uploading disk.qcow2 (3.0 MiB)" });
  EXPECT_EQ(progress.max_done, 3 * k_mib + 17);
  EXPECT_EQ(progress.ends, std::vector<std::string>{ "ok: ok" });
}

TEST_F(UploadTest, LargeFileGoesInParallelPartsAndVerifies)
{
  const auto file = sparse_file("big.img", 5 * k_part + 123);
  RecordingProgress progress;
  auto r = upload_file(*storage, options(file), progress);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->multipart);
  EXPECT_EQ(r->parts_total, 6);
  EXPECT_EQ(r->parts_uploaded, 6);
  EXPECT_EQ(server->count("UploadPart"), 6);
  EXPECT_EQ(server->count("CommitMultipartUpload"), 1);
  const auto obj = server->object("images", "disk.qcow2");
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->multipart_md5, r->md5);
  EXPECT_EQ(obj->part_count, 6);
  EXPECT_EQ(obj->metadata.at("opc-meta-ocne-part-size"), std::to_string(k_part));
  EXPECT_EQ(server->object_content_md5("images", "disk.qcow2"), test::file_md5_hex(file));
  EXPECT_TRUE(server->multipart_uploads("images").empty());
  EXPECT_EQ(progress.max_done, 5 * k_part + 123);
  // The note of the upload in progress is gone once committed.
  EXPECT_TRUE(std::filesystem::is_empty(dir() / "state" / "oci-uploads"));
}

TEST_F(UploadTest, SurvivesInjectedFaultsOnParts)
{
  const auto file = sparse_file("big.img", 8 * k_part);
  server->upload_faults().fail_randomly(
    0.15, Fault{ .kind = Fault::Kind::status, .status = 503, .retry_after = 0 }, "PUT", "/n/ocnetestns/b/images/u/", 7);
  server->upload_faults().fail_randomly(
    0.15, Fault{ .kind = Fault::Kind::drop_mid_body }, "PUT", "/n/ocnetestns/b/images/u/", 11);
  server->faults().fail_next(2, Fault{ .kind = Fault::Kind::status, .status = 429, .retry_after = 0 }, "PUT");
  auto r = upload_file(*storage, options(file), null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_GT(server->upload_faults().injected(), 0);
  EXPECT_EQ(server->faults().injected(), 2);
  EXPECT_EQ(server->object_content_md5("images", "disk.qcow2"), test::file_md5_hex(file));
  EXPECT_EQ(server->object("images", "disk.qcow2")->multipart_md5, r->md5);
}

TEST_F(UploadTest, ResumesAnInterruptedUploadSendingOnlyMissingParts)
{
  const auto file = sparse_file("big.img", 6 * k_part + 5);
  // An earlier run got parts 1, 2 and 5 up, then died.
  auto up = storage->create_multipart_upload("ocnetestns", "images", "disk.qcow2", {});
  ASSERT_TRUE(up);
  for (const int n : { 1, 2, 5 }) {
    const FileRange range{ file, static_cast<std::uint64_t>(n - 1) * k_part, k_part };
    ASSERT_TRUE(storage->upload_part("ocnetestns", "images", "disk.qcow2", up->upload_id, n, range));
  }
  server->reset_counters();
  auto r = upload_file(*storage, options(file), null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(r->upload_id, up->upload_id);
  EXPECT_EQ(r->parts_reused, 3);
  EXPECT_EQ(r->parts_uploaded, 4);
  EXPECT_EQ(server->count("CreateMultipartUpload"), 0);
  auto sent = server->uploaded_parts();
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, (std::vector<int>{ 3, 4, 6, 7 }));
  EXPECT_EQ(server->object_content_md5("images", "disk.qcow2"), test::file_md5_hex(file));
}

TEST_F(UploadTest, ResumeReplacesPartsThatNoLongerMatchTheFile)
{
  const auto old_file = sparse_file("old.img", 3 * k_part + 1, 4ULL << 20, 'o');
  auto up = storage->create_multipart_upload("ocnetestns", "images", "disk.qcow2", {});
  ASSERT_TRUE(up);
  ASSERT_TRUE(storage->upload_part("ocnetestns", "images", "disk.qcow2", up->upload_id, 1, { old_file, 0, k_part }));
  ASSERT_TRUE(
    storage->upload_part("ocnetestns", "images", "disk.qcow2", up->upload_id, 4, { old_file, 3 * k_part, 1 }));
  // The file changed since (different content, one part shorter).
  const auto file = sparse_file("new.img", 2 * k_part + 9, 4ULL << 20, 'n');
  server->reset_counters();
  auto r = upload_file(*storage, options(file), null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->parts_reused, 0);
  EXPECT_EQ(r->parts_uploaded, 3);
  EXPECT_EQ(server->object_content_md5("images", "disk.qcow2"), test::file_md5_hex(file));
  EXPECT_EQ(server->object("images", "disk.qcow2")->size, 2 * k_part + 9);
}

TEST_F(UploadTest, StaleUploadsOfTheSameObjectAreAborted)
{
  const auto file = sparse_file("big.img", 2 * k_part + 1);
  auto older = storage->create_multipart_upload("ocnetestns", "images", "disk.qcow2", {});
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto newer = storage->create_multipart_upload("ocnetestns", "images", "disk.qcow2", {});
  auto other = storage->create_multipart_upload("ocnetestns", "images", "other.qcow2", {});
  ASSERT_TRUE(older && newer && other);
  auto r = upload_file(*storage, options(file), null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->upload_id, newer->upload_id);
  EXPECT_EQ(server->multipart_uploads("images"), std::vector<std::string>{ other->upload_id });
}

TEST_F(UploadTest, AFailureForGoodAbortsTheUpload)
{
  const auto file = sparse_file("big.img", 4 * k_part);
  server->upload_faults().fail_next(1,
                                    Fault{ .kind = Fault::Kind::status,
                                           .status = 400,
                                           .body = R"({"code":"InvalidParameter","message":"refused on purpose"})" },
                                    "PUT");
  RecordingProgress progress;
  auto r = upload_file(*storage, options(file), progress);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::invalid_input);
  EXPECT_NE(r.error().message().find("upload of " + file + " to bucket images: upload part "), std::string::npos)
    << r.error().message();
  EXPECT_NE(r.error().message().find("HTTP 400 InvalidParameter: refused on purpose"), std::string::npos);
  EXPECT_TRUE(server->multipart_uploads("images").empty());
  EXPECT_EQ(server->count("AbortMultipartUpload"), 1);
  EXPECT_FALSE(server->object("images", "disk.qcow2"));
  ASSERT_EQ(progress.ends.size(), 1u);
  EXPECT_EQ(progress.ends[0].rfind("failed: ", 0), 0u);
}

TEST_F(UploadTest, RetriesRunOutThenAborts)
{
  const auto file = sparse_file("big.img", 2 * k_part + 1);
  server->upload_faults().fail_randomly(
    1.0, Fault{ .kind = Fault::Kind::status, .status = 500, .retry_after = 0 }, "PUT", "/n/ocnetestns/b/images/u/");
  auto o = options(file);
  o.part_attempts = 2;
  auto r = upload_file(*storage, o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::transient);
  EXPECT_TRUE(server->multipart_uploads("images").empty());
}

TEST_F(UploadTest, AnObjectHoldingTheFileIsReused)
{
  const auto file = sparse_file("big.img", 3 * k_part + 7);
  ASSERT_TRUE(upload_file(*storage, options(file), null_progress()));
  server->reset_counters();
  auto again = upload_file(*storage, options(file), null_progress());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->reused_object);
  EXPECT_EQ(server->count("UploadPart"), 0);
  EXPECT_EQ(server->count("HeadObject"), 1);

  // A different file under the same name is uploaded again.
  const auto changed = sparse_file("changed.img", 3 * k_part + 7, 4ULL << 20, 'z');
  auto third = upload_file(*storage, options(changed), null_progress());
  ASSERT_TRUE(third) << third.error().message();
  EXPECT_FALSE(third->reused_object);
  EXPECT_EQ(server->object_content_md5("images", "disk.qcow2"), test::file_md5_hex(changed));

  // Same for single-part objects.
  const auto small = sparse_file("small.img", k_mib, 4096);
  ASSERT_TRUE(upload_file(*storage, options(small, "small"), null_progress()));
  auto small_again = upload_file(*storage, options(small, "small"), null_progress());
  ASSERT_TRUE(small_again);
  EXPECT_TRUE(small_again->reused_object);
}

TEST_F(UploadTest, TwoRunsOnOneObjectDoNotCollide)
{
  const auto file = sparse_file("big.img", 2 * k_part);
  auto o = options(file);
  ASSERT_TRUE(upload_file(*storage, o, null_progress()));
  // Hold the lock file the upload uses, as a concurrent run would, and try again.
  std::string lock_file;
  for (const auto& e : std::filesystem::directory_iterator(dir() / "state" / "locks")) {
    if (e.path().filename().string().rfind("oci-upload-", 0) == 0) {
      lock_file = e.path();
    }
  }
  ASSERT_FALSE(lock_file.empty());
  auto other = FileLock::acquire(lock_file, std::chrono::milliseconds(0), "other");
  ASSERT_TRUE(other);
  auto second = upload_file(*storage, o, null_progress());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind(), ErrorKind::conflict);
  EXPECT_NE(second.error().message().find("the upload of disk.qcow2 to bucket images is in use by another ocne run"),
            std::string::npos)
    << second.error().message();
}

TEST_F(UploadTest, BadOptionsAndFiles)
{
  auto o = options((dir() / "missing.img").string());
  auto r = upload_file(*storage, o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), (dir() / "missing.img").string() + ": no such file or directory");
  o = options(sparse_file("f", k_mib));
  o.part_size = 5 * k_mib;
  r = upload_file(*storage, o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "part size 5.0 MiB is too small: Object Storage needs at least 10 MiB");
  o.part_size = k_part;
  o.bucket = "missing";
  r = upload_file(*storage, o, null_progress());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
}

TEST(PartSizeTest, StaysUnderTenThousandParts)
{
  EXPECT_EQ(effective_part_size(1ULL << 30, 128 * k_mib), 128 * k_mib);
  EXPECT_EQ(effective_part_size(1ULL << 30, 1), 10 * k_mib);
  // 2 TiB in 128 MiB parts would be 16384 parts.
  const auto two_tib = 2ULL << 40;
  const auto size = effective_part_size(two_tib, 128 * k_mib);
  EXPECT_LE((two_tib + size - 1) / size, 10000u);
  EXPECT_EQ(size % k_mib, 0u);
  EXPECT_EQ(size, 210 * k_mib);
}

} // namespace
} // namespace ocne::oci
