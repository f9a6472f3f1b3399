#include "pkg/oci/image_upload.hpp"

#include "pkg/oci/image_file.hpp"
#include "tests/component/pkg/oci/oci_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::oci {
namespace {

class ImageUploadTest : public test::OciServerTest
{
protected:
  void
  SetUp() override
  {
    OciServerTest::SetUp();
    const auto dev = server->add_compartment(tenancy(), "dev");
    compartment = server->add_compartment(dev, "ocne");
  }

  // A QCOW2 header on a sparse file.
  std::string
  image(const std::string& name, std::uint64_t size)
  {
    const auto path = sparse_file(name, size);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    const std::string magic("QFI\xfb\0\0\0\3", 8);
    EXPECT_EQ(::pwrite(fd, magic.data(), magic.size(), 0), 8);
    ::close(fd);
    return path;
  }

  ImageUploadOptions
  options(const std::string& file, const std::string& arch = "amd64")
  {
    ImageUploadOptions o;
    o.file = file;
    o.tenancy_id = tenancy();
    o.compartment = "dev/ocne";
    o.architecture = arch;
    o.kubernetes_version = "1.33";
    o.part_size = 10 * k_mib;
    o.parallelism = 4;
    o.state_dir = dir() / "state";
    o.wait.initial_poll = std::chrono::milliseconds(30);
    o.wait.poll = std::chrono::milliseconds(30);
    return o;
  }

  std::string compartment;
};

TEST_F(ImageUploadTest, UploadsImportsAndThenReuses)
{
  const auto file = image("boot.qcow2-1.33-arm64.oci", 25 * k_mib);
  auto r = upload_image(*client, options(file, "arm64"), null_progress());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->image_reused);
  EXPECT_TRUE(r->bucket_created);
  EXPECT_EQ(r->compartment_id, compartment);
  EXPECT_EQ(r->object_name, "ocne_boot.qcow2-1.33-arm64.oci");
  EXPECT_TRUE(r->upload.multipart);
  EXPECT_EQ(server->bucket_names(), std::vector<std::string>{ "ocne-images" });
  EXPECT_EQ(server->object_content_md5("ocne-images", r->object_name), test::file_md5_hex(file));
  const auto images = server->images();
  ASSERT_EQ(images.size(), 1u);
  const auto& img = images[0];
  EXPECT_EQ(img.id, r->image_id);
  EXPECT_EQ(img.lifecycle_state, "AVAILABLE");
  EXPECT_EQ(img.display_name, "ock");
  EXPECT_EQ(img.source_image_type, "QCOW2");
  EXPECT_EQ(img.freeform_tags.at("ocne/kubernetes"), "1.33");
  EXPECT_EQ(img.freeform_tags.at("ocne/architecture"), "arm64");
  EXPECT_EQ(nlohmann::json::parse(img.capability_schema_json)["Compute.Firmware"]["defaultValue"], "UEFI_64");
  auto shapes = img.shapes;
  std::sort(shapes.begin(), shapes.end());
  EXPECT_EQ(shapes, (std::vector<std::string>{ "BM.Standard.A1.160", "VM.Standard.A1.Flex", "VM.Standard.A2.Flex" }));

  server->reset_counters();
  auto again = upload_image(*client, options(file, "arm64"), null_progress());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->image_reused);
  EXPECT_EQ(again->image_id, r->image_id);
  EXPECT_EQ(server->count("UploadPart") + server->count("PutObject") + server->count("CreateImage"), 0);
  EXPECT_EQ(server->images().size(), 1u);
}

TEST_F(ImageUploadTest, AnExportIsImportedAsOne)
{
  const auto qcow2 = image("boot.qcow2", 2 * k_mib);
  const auto exported = dir() / "boot.oci";
  ASSERT_TRUE(write_oci_export(qcow2, image_metadata_json({}), exported, null_progress()));
  auto r = upload_image(*client, options(exported.string()), null_progress());
  ASSERT_TRUE(r) << r.error().message();
  const auto img = server->images().at(0);
  EXPECT_EQ(img.source_image_type, "");
  EXPECT_EQ(img.lifecycle_state, "AVAILABLE");

  // build_export turns a QCOW2 into an export on the way.
  auto o = options(qcow2, "arm64");
  o.build_export = true;
  r = upload_image(*client, o, null_progress());
  ASSERT_TRUE(r) << r.error().message();
  for (const auto& i : server->images()) {
    if (i.id == r->image_id) {
      EXPECT_EQ(i.source_image_type, "");
      EXPECT_EQ(i.lifecycle_state, "AVAILABLE");
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir() / "state" / "tmp" / "boot.qcow2.export.oci"));
}

TEST_F(ImageUploadTest, AFailedImportLeavesNoImage)
{
  const auto file = image("boot.qcow2", k_mib);
  server->fail_next_import("the image could not be converted");
  auto r = upload_image(*client, options(file), null_progress());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("import of image ock: work request "), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find(" failed: ImageImportFailed: the image could not be converted"),
            std::string::npos);
  EXPECT_TRUE(server->images().empty());
  EXPECT_EQ(server->count("DeleteImage"), 1);
  // The object stays, so the next run imports without uploading again.
  server->reset_counters();
  auto again = upload_image(*client, options(file), null_progress());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->upload.reused_object);
  EXPECT_EQ(server->count("PutObject"), 0);
}

TEST_F(ImageUploadTest, BadInputFailsBeforeAnythingIsCreated)
{
  const auto file = image("boot.qcow2", k_mib);
  struct Case
  {
    std::function<void(ImageUploadOptions&)> change;
    std::string message;
  };
  const std::vector<Case> cases = {
    { [](auto& o) { o.bucket = "bad/bucket"; },
      "bucket name 'bad/bucket' is invalid: use only letters, digits, '-', '_' and '.'" },
    { [](auto& o) { o.architecture = "riscv"; }, "architecture 'riscv' is not supported: use amd64 or arm64" },
    { [](auto& o) { o.compartment = "dev/nope"; },
      "compartment path 'dev/nope': 'dev' has no active compartment named 'nope'" },
    { [&](auto& o) { o.file = write("x.txt", "text").string(); },
      (dir() / "x.txt").string() +
        " is not a QCOW2 image or an OCI export (.oci: a gzipped tar of output.QCOW2 and image_metadata.json): "
        "unknown content" },
    { [&](auto& o) { o.file = (dir() / "missing.qcow2").string(); },
      (dir() / "missing.qcow2").string() + ": no such file or directory" },
  };
  for (const auto& c : cases) {
    auto o = options(file);
    c.change(o);
    auto r = upload_image(*client, o, null_progress());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), c.message);
  }
  EXPECT_TRUE(server->bucket_names().empty());
  EXPECT_TRUE(server->images().empty());
  EXPECT_EQ(server->count("CreateMultipartUpload") + server->count("PutObject"), 0);
}

} // namespace
} // namespace ocne::oci
