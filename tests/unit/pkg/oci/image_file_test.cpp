#include "pkg/oci/image_file.hpp"

#include "pkg/core/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace ocne::oci {
namespace {

class ImageFileTest : public ::ocne::test::TempDirTest
{
protected:
  std::string
  qcow2(const std::string& name, std::size_t extra = 1000)
  {
    return write(name, std::string("QFI\xfb\0\0\0\3", 8) + std::string(extra, 'q')).string();
  }

  // Entries of a gzipped tar, in order: name -> content.
  std::vector<std::pair<std::string, std::string>>
  entries(const std::string& path)
  {
    std::vector<std::pair<std::string, std::string>> out;
    archive* a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 1 << 16), ARCHIVE_OK);
    archive_entry* e = nullptr;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
      std::string content(static_cast<std::size_t>(archive_entry_size(e)), '\0');
      archive_read_data(a, content.data(), content.size());
      out.emplace_back(archive_entry_pathname(e), content);
    }
    archive_read_free(a);
    return out;
  }
};

TEST_F(ImageFileTest, RecognisesQcow2ByContentNotName)
{
  auto info = inspect_image_file(qcow2("boot.qcow2-1.33-amd64.oci"));
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->format, ImageFileFormat::qcow2);
  EXPECT_EQ(info->size, 1008u);
}

TEST_F(ImageFileTest, RefusesOtherFilesInOneLine)
{
  const auto text = write("notes.txt", "hello").string();
  auto info = inspect_image_file(text);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(info.error().message(),
            text + " is not a QCOW2 image or an OCI export (.oci: a gzipped tar of output.QCOW2 and "
                   "image_metadata.json): unknown content");
  const auto empty = write("empty.img", "").string();
  info = inspect_image_file(empty);
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message().find(": the file is empty"), std::string::npos);
  info = inspect_image_file((dir() / "nope").string());
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().message(), (dir() / "nope").string() + ": no such file or directory");
  // A QCOW2 magic with an unknown version is not a QCOW2 image.
  info = inspect_image_file(write("v9.img", std::string("QFI\xfb\0\0\0\x09", 8)).string());
  ASSERT_FALSE(info);
}

TEST_F(ImageFileTest, ExportRoundTrip)
{
  const auto src = qcow2("boot.qcow2", 3 << 20);
  const auto out = dir() / "boot.oci";
  const auto meta = image_metadata_json({ "arm64", false });
  ASSERT_TRUE(write_oci_export(src, meta, out, null_progress()));
  auto info = inspect_image_file(out.string());
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->format, ImageFileFormat::oci_export);
  const auto e = entries(out.string());
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].first, "image_metadata.json");
  EXPECT_EQ(e[1].first, "output.QCOW2");
  std::ifstream in(src, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(e[1].second, ss.str());
  const auto j = nlohmann::json::parse(e[0].second);
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["externalLaunchOptions"]["firmware"], "UEFI_64");
  EXPECT_EQ(j["operatingSystem"], "Oracle Linux");
  const auto caps = nlohmann::json::parse(j["imageCapabilityData"].get<std::string>());
  EXPECT_EQ(caps["Compute.Firmware"]["defaultValue"], "UEFI_64");
  EXPECT_EQ(j["additionalMetadata"]["shapeCompatibilities"][0]["internalShapeName"], "VM.Standard.A1.Flex");

  // The same input gives the same bytes (so a rerun can resume its upload).
  const auto again = dir() / "again.oci";
  ASSERT_TRUE(write_oci_export(src, meta, again, null_progress()));
  std::ifstream a(out, std::ios::binary);
  std::ifstream b(again, std::ios::binary);
  std::stringstream sa;
  std::stringstream sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  EXPECT_EQ(sa.str(), sb.str());
}

TEST_F(ImageFileTest, RealQcow2FromQemuImg)
{
  if (!program_exists("qemu-img")) {
    GTEST_SKIP() << "qemu-img is not installed (scripts/packages/oci.txt lists qemu-utils)";
  }
  const auto src = dir() / "real.qcow2";
  auto made = run_process({ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", src.string(), "64M" } });
  ASSERT_TRUE(made && made->ok()) << (made ? made->err : made.error().message());
  auto info = inspect_image_file(src.string());
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->format, ImageFileFormat::qcow2);
  const auto out = dir() / "real.oci";
  ASSERT_TRUE(write_oci_export(src.string(), image_metadata_json({}), out, null_progress()));
  const auto e = entries(out.string());
  ASSERT_EQ(e.size(), 2u);
  const auto extracted = write("extracted.qcow2", e[1].second);
  auto check = run_process({ .argv = { "qemu-img", "check", "-q", extracted.string() } });
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok()) << check->err;
}

TEST_F(ImageFileTest, ExportsMissingAPartAreRefused)
{
  // A tar.gz with only the metadata.
  const auto path = (dir() / "half.oci").string();
  archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  archive_write_open_filename(a, path.c_str());
  archive_entry* e = archive_entry_new();
  const std::string meta = R"({"version":2})";
  archive_entry_set_pathname(e, "image_metadata.json");
  archive_entry_set_size(e, static_cast<la_int64_t>(meta.size()));
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_write_header(a, e);
  archive_write_data(a, meta.data(), meta.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  auto info = inspect_image_file(path);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().message(),
            path + " is not a QCOW2 image or an OCI export (.oci: a gzipped tar of output.QCOW2 and "
                   "image_metadata.json): it has no output.QCOW2");
}

} // namespace
} // namespace ocne::oci
