#include "pkg/core/fs.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace ocne::fs {
namespace {

class FsTest : public test::TempDirTest
{};

TEST_F(FsTest, WriteAtomicSetsModeAndContent)
{
  const auto file = dir() / "kubeconfig";
  ASSERT_TRUE(write_file_atomic(file, "secret", k_private));
  EXPECT_EQ(*read_file(file), "secret");
  EXPECT_EQ(*file_mode(file), 0600U);
  ASSERT_TRUE(write_file_atomic(file, "new", k_public));
  EXPECT_EQ(*read_file(file), "new");
  EXPECT_EQ(*file_mode(file), 0644U);
  // No temporary files are left next to the target.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(FsTest, ReadMissingFileNamesIt)
{
  const auto missing = dir() / "nope.yaml";
  const auto r = read_file(missing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(r.error().message(), missing.string() + ": no such file or directory");
}

TEST_F(FsTest, ReadDirectoryIsAnError)
{
  const auto r = read_file(dir());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), dir().string() + ": is a directory, not a file");
}

TEST_F(FsTest, AtomicFileUncommittedLeavesNothing)
{
  const auto target = dir() / "image.qcow2";
  {
    auto f = AtomicFile::create(target);
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->write("partial"));
    EXPECT_TRUE(std::filesystem::exists(f->temp_path()));
  }
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_TRUE(std::filesystem::is_empty(dir()));
}

TEST_F(FsTest, AtomicFileSparseWritesAndCommit)
{
  const auto target = dir() / "disk.raw";
  auto f = AtomicFile::create(target);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->pwrite("end", 1 << 20));
  ASSERT_TRUE(f->pwrite("start", 0));
  ASSERT_TRUE(f->commit());
  EXPECT_EQ(std::filesystem::file_size(target), (1U << 20) + 3);
  const auto content = *read_file(target);
  EXPECT_EQ(content.substr(0, 5), "start");
  EXPECT_EQ(content.substr(1 << 20), "end");
}

TEST_F(FsTest, EnsureDirCreatesParents)
{
  const auto nested = dir() / "a" / "b" / "c";
  ASSERT_TRUE(ensure_dir(nested, 0700));
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  ASSERT_TRUE(ensure_dir(nested));
  write("file", "x");
  EXPECT_FALSE(ensure_dir(dir() / "file"));
}

TEST(FsPaths, ExpandAndResolve)
{
  const Path home = "/home/u";
  EXPECT_EQ(expand_user("~", home), Path("/home/u"));
  EXPECT_EQ(expand_user("~/.oci/key.pem", home), Path("/home/u/.oci/key.pem"));
  EXPECT_EQ(expand_user("~other/x", home), Path("~other/x"));
  EXPECT_EQ(resolve_path("ign/extra.json", "/work/cluster", home), Path("/work/cluster/ign/extra.json"));
  EXPECT_EQ(resolve_path("../x", "/work/cluster", home), Path("/work/x"));
  EXPECT_EQ(resolve_path("/abs", "/work", home), Path("/abs"));
  EXPECT_EQ(resolve_path("~/k", "/work", home), Path("/home/u/k"));
  EXPECT_EQ(resolve_path("", "/work", home), Path());
}

TEST_F(FsTest, RemoveMissingFileIsFine)
{
  EXPECT_TRUE(remove_file(dir() / "missing"));
  const auto f = write("present", "x");
  EXPECT_TRUE(remove_file(f));
  EXPECT_FALSE(std::filesystem::exists(f));
}

} // namespace
} // namespace ocne::fs
