#include "pkg/qcow2/disk_image.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

namespace ocne::qcow2 {
namespace {

class RawImageTest : public ocne::test::TempDirTest
{};

TEST_F(RawImageTest, SparseHolesAreReportedAsZeroExtents)
{
  const auto path = dir() / "sparse.raw";
  {
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 64 << 20), 0);
    const std::string data(1 << 20, 'd');
    ASSERT_EQ(::pwrite(fd, data.data(), data.size(), 16 << 20), static_cast<ssize_t>(data.size()));
    ::close(fd);
  }
  auto image = open_image(path);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ((*image)->format(), Format::raw);
  EXPECT_EQ((*image)->virtual_size(), 64U << 20);
  // File systems without SEEK_HOLE report everything as data; both are correct.
  const auto& extents = (*image)->extents();
  ASSERT_FALSE(extents.empty());
  std::uint64_t covered = 0;
  for (const auto& e : extents) {
    EXPECT_EQ(e.offset, covered);
    covered += e.length;
  }
  EXPECT_EQ(covered, 64U << 20);
  EXPECT_FALSE((*image)->known_zero(16 << 20, 4096));
  if (extents.size() > 1) {
    EXPECT_TRUE((*image)->known_zero(0, 8 << 20));
  }
  std::string out(8192, 'x');
  ASSERT_TRUE((*image)->read((16 << 20) - 4096, std::span<char>(out.data(), out.size())));
  EXPECT_EQ(out, std::string(4096, '\0') + std::string(4096, 'd'));
}

TEST_F(RawImageTest, AllZero)
{
  std::string buf(1000, '\0');
  EXPECT_TRUE(all_zero(buf));
  buf[999] = 1;
  EXPECT_FALSE(all_zero(buf));
  buf[999] = 0;
  buf[3] = 1;
  EXPECT_FALSE(all_zero(std::span<const char>(buf.data() + 1, 10)));
  EXPECT_TRUE(all_zero(std::span<const char>(buf.data() + 4, 900)));
}

} // namespace
} // namespace ocne::qcow2
