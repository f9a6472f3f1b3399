#include "pkg/qcow2/disk_image.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/qcow2/qemu_tools.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ocne::qcow2 {
namespace {

using test::run;
using test::slurp;

class Qcow2ImageTest : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_QEMU_TOOLS();
  }

  std::string
  path(const std::string& name) const
  {
    return (dir() / name).string();
  }

  // Creates a qcow2 image with qemu-img and writes into it with qemu-io.
  std::string
  make(const std::string& name,
       const std::string& size,
       const std::vector<std::string>& options,
       const std::vector<std::string>& io_commands)
  {
    std::vector<std::string> argv = { "qemu-img", "create", "-q", "-f", "qcow2" };
    for (const auto& o : options) {
      argv.push_back("-o");
      argv.push_back(o);
    }
    argv.push_back(path(name));
    argv.push_back(size);
    run(argv);
    if (!io_commands.empty()) {
      std::vector<std::string> io = { "qemu-io", "-f", "qcow2" };
      for (const auto& c : io_commands) {
        io.push_back("-c");
        io.push_back(c);
      }
      io.push_back(path(name));
      run(io);
    }
    return path(name);
  }

  // Our reader's view of the whole disk against qemu-img convert -O raw.
  void
  expect_same_as_qemu(const std::string& image_path, std::size_t read_size = 300 * 1024)
  {
    const auto raw_path = image_path + ".raw";
    run({ "qemu-img", "convert", "-O", "raw", image_path, raw_path });
    const std::string expected = slurp(raw_path);
    auto image = open_image(std::filesystem::path(image_path));
    ASSERT_TRUE(image) << image.error().message();
    EXPECT_EQ((*image)->format(), Format::qcow2);
    ASSERT_EQ((*image)->virtual_size(), expected.size());
    // Odd-sized reads cross cluster boundaries at every alignment.
    std::string actual(expected.size(), '\x55');
    for (std::size_t at = 0; at < actual.size(); at += read_size) {
      const auto n = std::min(read_size, actual.size() - at);
      auto st = (*image)->read(at, std::span<char>(actual.data() + at, n));
      ASSERT_TRUE(st) << st.error().message();
    }
    ASSERT_TRUE(actual == expected) << "content differs from qemu-img convert -O raw";
    // Every hole really reads as zeros.
    for (const auto& e : (*image)->extents()) {
      if (e.zero) {
        EXPECT_TRUE(all_zero(std::span<const char>(expected.data() + e.offset, e.length)))
          << "extent at " << e.offset << " claimed zero";
      }
    }
  }
};

TEST_F(Qcow2ImageTest, Version3MatchesQemuImgConvert)
{
  const auto image = make("v3.qcow2",
                          "40M",
                          {},
                          { "write -P 0xab 0 64k",
                            "write -P 0x11 1000k 100k", // crosses cluster boundaries
                            "write -z 2M 128k",
                            "write -P 0x22 39M 1M" });
  expect_same_as_qemu(image);
}

TEST_F(Qcow2ImageTest, Version2MatchesQemuImgConvert)
{
  const auto image = make("v2.qcow2", "16M", { "compat=0.10" }, { "write -P 0x7e 512 4k", "write -P 0x01 8M 2M" });
  expect_same_as_qemu(image);
}

TEST_F(Qcow2ImageTest, SmallAndLargeClusters)
{
  expect_same_as_qemu(
    make("c512.qcow2", "3M", { "cluster_size=512" }, { "write -P 0x33 1536 10k", "write -P 1 2M 512" }));
  expect_same_as_qemu(make("c2m.qcow2", "9M", { "cluster_size=2M" }, { "write -P 0x44 3M 100k" }));
}

TEST_F(Qcow2ImageTest, VirtualSizeNotClusterAligned)
{
  expect_same_as_qemu(make("odd.qcow2", "10486272", {}, { "write -P 0x66 10M 512", "write -P 0x67 1M 1536" }), 4096);
}

TEST_F(Qcow2ImageTest, ZeroClustersAreHolesAndSkipped)
{
  const auto image_path = make("zero.qcow2", "8M", {}, { "write -P 0x12 0 1M", "write -z 256k 256k" });
  auto image = open_image(std::filesystem::path(image_path));
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ((*image)->extents(),
            (std::vector<Extent>{ { 0, 256 * 1024, false },
                                  { 256 * 1024, 256 * 1024, true },
                                  { 512 * 1024, 512 * 1024, false },
                                  { 1024 * 1024, 7 * 1024 * 1024, true } }));
  EXPECT_TRUE((*image)->known_zero(256 * 1024, 256 * 1024));
  EXPECT_FALSE((*image)->known_zero(0, 512 * 1024));
  EXPECT_TRUE((*image)->known_zero(2 * 1024 * 1024, 4 * 1024 * 1024));
  expect_same_as_qemu(image_path);
}

TEST_F(Qcow2ImageTest, CompressedZlibClusters)
{
  const auto plain =
    make("plain.qcow2", "12M", {}, { "write -P 0x5a 0 3M", "write -P 0x00 5M 64k", "write -P 0x9 11M 1M" });
  run({ "qemu-img", "convert", "-c", "-O", "qcow2", plain, path("zlib.qcow2") });
  expect_same_as_qemu(path("zlib.qcow2"));
}

TEST_F(Qcow2ImageTest, CompressedZstdClusters)
{
  const auto plain = make("plain.qcow2", "12M", {}, { "write -P 0x5a 0 3M", "write -P 0x9 11M 1M" });
  auto r = run_process(ProcessOptions{
    .argv = { "qemu-img", "convert", "-c", "-O", "qcow2", "-o", "compression_type=zstd", plain, path("zstd.qcow2") } });
  ASSERT_TRUE(r);
  if (r->exit_code != 0) {
    GTEST_SKIP() << "this qemu-img cannot write zstd clusters: " << r->err;
  }
  const auto header = slurp(path("zstd.qcow2"));
  ASSERT_GT(header.size(), 104U);
  ASSERT_EQ(header[104], 1) << "compression_type should be zstd";
  expect_same_as_qemu(path("zstd.qcow2"));
}

TEST_F(Qcow2ImageTest, TruncatedFileIsDetectedAtOpen)
{
  const auto image_path = make("t.qcow2", "16M", {}, { "write -P 0xab 0 4M", "write -P 0xcd 12M 4M" });
  const auto full = std::filesystem::file_size(image_path);
  std::filesystem::resize_file(image_path, full / 2);
  auto image = open_image(std::filesystem::path(image_path));
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().kind(), ErrorKind::invalid_input);
  EXPECT_NE(image.error().message().find(image_path + ": corrupt or truncated qcow2 image: data cluster for guest "
                                                      "offset"),
            std::string::npos)
    << image.error().message();
  EXPECT_NE(image.error().message().find("lies past the end of the file"), std::string::npos);
}

TEST_F(Qcow2ImageTest, TruncatedInsideTheTables)
{
  const auto image_path = make("t2.qcow2", "16M", {}, { "write -P 0xab 0 64k" });
  std::filesystem::resize_file(image_path, 200 * 1024);
  auto image = open_image(std::filesystem::path(image_path));
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message().find("corrupt or truncated qcow2 image"), std::string::npos)
    << image.error().message();
}

TEST_F(Qcow2ImageTest, CorruptCompressedDataFailsOnRead)
{
  const auto plain = make("plain.qcow2", "4M", {}, { "write -P 0x5a 0 1M" });
  run({ "qemu-img", "convert", "-c", "-O", "qcow2", plain, path("c.qcow2") });
  // Scribble over the compressed data (it follows the metadata clusters).
  std::string bytes = slurp(path("c.qcow2"));
  for (std::size_t i = bytes.size() - 2000; i < bytes.size() - 1000; ++i) {
    bytes[i] = static_cast<char>(i * 7);
  }
  auto image = open_qcow2(memory_source(bytes, "c.qcow2"));
  ASSERT_TRUE(image) << image.error().message();
  std::string out(1 << 20, '\0');
  auto st = (*image)->read(0, std::span<char>(out.data(), out.size()));
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("c.qcow2: corrupt or truncated qcow2 image: compressed cluster for guest offset"),
            std::string::npos)
    << st.error().message();
}

TEST_F(Qcow2ImageTest, BackingFileIsRefused)
{
  make("base.qcow2", "4M", {}, {});
  run({ "qemu-img", "create", "-q", "-f", "qcow2", "-b", path("base.qcow2"), "-F", "qcow2", path("overlay.qcow2") });
  auto image = open_image(std::filesystem::path(path("overlay.qcow2")));
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().message(),
            path("overlay.qcow2") + ": the qcow2 image has a backing file ('" + path("base.qcow2") +
              "'); flatten it first: qemu-img convert -O qcow2 " + path("overlay.qcow2") + " <new file>");
}

TEST_F(Qcow2ImageTest, EncryptedImageIsRefused)
{
  auto r = run_process(ProcessOptions{ .argv = { "qemu-img",
                                                 "create",
                                                 "-q",
                                                 "--object",
                                                 "secret,id=sec0,data=123456",
                                                 "-f",
                                                 "qcow2",
                                                 "-o",
                                                 "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10",
                                                 path("enc.qcow2"),
                                                 "4M" } });
  ASSERT_TRUE(r);
  if (r->exit_code != 0) {
    GTEST_SKIP() << "this qemu-img cannot create LUKS qcow2: " << r->err;
  }
  auto image = open_image(std::filesystem::path(path("enc.qcow2")));
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().message(),
            path("enc.qcow2") +
              ": encrypted qcow2 images are not supported (crypt_method 2); decrypt it first with qemu-img convert");
}

// Header fields patched by hand, each a different kind of damage.
class Qcow2HeaderTest : public Qcow2ImageTest
{
protected:
  std::string
  base()
  {
    return slurp(make("h.qcow2", "4M", {}, { "write -P 0x1 0 64k" }));
  }
  static void
  put32(std::string& b, std::size_t at, std::uint32_t v)
  {
    for (int i = 0; i < 4; ++i) {
      b[at + i] = static_cast<char>(v >> (24 - 8 * i));
    }
  }
  static std::string
  open_error(const std::string& bytes)
  {
    auto image = open_image(memory_source(bytes, "h.qcow2"));
    return image ? std::string("opened") : image.error().message();
  }
};

TEST_F(Qcow2HeaderTest, BadClusterBits)
{
  auto b = base();
  put32(b, 20, 30);
  EXPECT_EQ(open_error(b), "h.qcow2: corrupt or truncated qcow2 image: cluster_bits 30 is outside 9..21");
}

TEST_F(Qcow2HeaderTest, UnsupportedVersion)
{
  auto b = base();
  put32(b, 4, 4);
  EXPECT_EQ(open_error(b),
            "h.qcow2: qcow2 version 4 is not supported (only 2 and 3); convert it with qemu-img convert -O qcow2");
  put32(b, 4, 1);
  EXPECT_EQ(open_error(b),
            "h.qcow2: not a raw or qcow2 disk image (it is a qcow version 1 image); convert it first: qemu-img "
            "convert -O qcow2 h.qcow2 <new file>.qcow2");
}

TEST_F(Qcow2HeaderTest, CorruptBitAndUnknownFeatures)
{
  auto b = base();
  b[79] = static_cast<char>(b[79] | 2);
  EXPECT_EQ(open_error(b), "h.qcow2: the qcow2 image is marked corrupt; repair it with qemu-img check -r all");
  b = base();
  b[78] = 1; // bit 8
  EXPECT_EQ(open_error(b), "h.qcow2: the qcow2 image uses unknown incompatible features (0x100)");
}

TEST_F(Qcow2HeaderTest, L1TooSmallForTheVirtualSize)
{
  auto b = base();
  put32(b, 36, 0);
  EXPECT_EQ(
    open_error(b),
    "h.qcow2: corrupt or truncated qcow2 image: L1 table has 0 entries, 1 needed for a virtual size of 4194304");
}

TEST_F(Qcow2HeaderTest, ShortFile)
{
  EXPECT_EQ(open_error(std::string("QFI\xfb\0\0\0\x03", 8) + std::string(20, '\0')),
            "h.qcow2: corrupt or truncated qcow2 image: the file is only 28 bytes, shorter than a qcow2 header");
}

} // namespace
} // namespace ocne::qcow2
