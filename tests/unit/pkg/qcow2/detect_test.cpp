#include "pkg/qcow2/disk_image.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/qcow2/qemu_tools.hpp"

#include <gtest/gtest.h>

namespace ocne::qcow2 {
namespace {

class DetectTest : public ocne::test::TempDirTest
{
protected:
  std::string
  open_error(const std::string& name, const std::string& content)
  {
    const auto p = write(name, content);
    auto image = open_image(p);
    return image ? std::string("opened as ") + std::string(to_string((*image)->format())) : image.error().message();
  }
  std::string
  p(const std::string& name) const
  {
    return (dir() / name).string();
  }
};

TEST_F(DetectTest, EmptyFile)
{
  EXPECT_EQ(open_error("e.img", ""), p("e.img") + ": the file is empty, not a disk image");
}

TEST_F(DetectTest, TextFileIsNotRaw)
{
  EXPECT_EQ(open_error("notes.txt", "hello\n"),
            p("notes.txt") + ": not a raw or qcow2 disk image: its size (6 bytes) is not a multiple of 512");
}

TEST_F(DetectTest, CompressedAndArchivedFiles)
{
  std::string pad(1024, '\0');
  EXPECT_EQ(open_error("a.raw.gz", "\x1f\x8b\x08" + pad),
            p("a.raw.gz") + ": not a raw or qcow2 disk image (it is gzip-compressed); decompress it first (gunzip)");
  EXPECT_EQ(open_error("a.raw.xz",
                       std::string("\xfd"
                                   "7zXZ\0",
                                   6) +
                         pad),
            p("a.raw.xz") + ": not a raw or qcow2 disk image (it is xz-compressed); decompress it first (unxz)");
  EXPECT_EQ(open_error("a.zst", "\x28\xb5\x2f\xfd" + pad),
            p("a.zst") + ": not a raw or qcow2 disk image (it is zstd-compressed); decompress it first (unzstd)");
  std::string tar(1024, '\0');
  tar.replace(257, 5, "ustar");
  EXPECT_EQ(open_error("a.ova", tar),
            p("a.ova") + ": not a raw or qcow2 disk image (it is a tar archive (an OVA?)); extract the disk image from "
                         "it first");
}

TEST_F(DetectTest, OtherImageFormats)
{
  OCNE_REQUIRE_QEMU_TOOLS();
  test::run({ "qemu-img", "create", "-q", "-f", "vmdk", p("a.vmdk"), "1M" });
  auto image = open_image(std::filesystem::path(p("a.vmdk")));
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().message(),
            p("a.vmdk") +
              ": not a raw or qcow2 disk image (it is a VMDK image); convert it first: qemu-img convert "
              "-O qcow2 " +
              p("a.vmdk") + " <new file>.qcow2");
  test::run({ "qemu-img", "create", "-q", "-f", "vhdx", p("a.vhdx"), "8M" });
  image = open_image(std::filesystem::path(p("a.vhdx")));
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message().find("(it is a VHDX image)"), std::string::npos);
}

TEST_F(DetectTest, MissingFileAndDirectory)
{
  auto image = open_image(dir() / "nope.img");
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(image.error().message(), p("nope.img") + ": no such file or directory");
  image = open_image(dir());
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().message(), dir().string() + ": is a directory, not a disk image");
}

TEST_F(DetectTest, AnythingElseOfWholeSectorsIsRaw)
{
  EXPECT_EQ(open_error("disk.img", std::string(4096, 'x')), "opened as raw");
}

} // namespace
} // namespace ocne::qcow2
