// What an image says about itself against what the user says about it.

#include "pkg/image/image_claims.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

TEST(ImageClaimsTest, TagsThatNameAVersion)
{
  EXPECT_EQ(tag_version("1.33"), "1.33");
  EXPECT_EQ(tag_version("v1.33"), "1.33");
  EXPECT_EQ(tag_version("1.33.2"), "1.33");
  for (const auto* tag : { "", "latest", "1.33-amd64", "zstd", "1", "1.x", "1.33.2.1", "current" }) {
    EXPECT_EQ(tag_version(tag), "") << tag;
  }
}

TEST(ImageClaimsTest, ASourceTaggedWithAnotherVersionIsRefused)
{
  EXPECT_TRUE(check_tag_version("1.33", "1.33", "reg/ock:1.33"));
  EXPECT_TRUE(check_tag_version("v1.33.1", "1.33", "reg/ock:v1.33.1"));
  EXPECT_TRUE(check_tag_version("latest", "1.33", "reg/ock:latest"));
  EXPECT_TRUE(check_tag_version("1.32", "dev", "reg/ock:1.32"));
  const auto r = check_tag_version("1.32", "1.33", "reg/ock:1.32");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(r.error().message(),
            "reg/ock:1.32 is tagged '1.32', which is Kubernetes 1.32, not 1.33: use a source for "
            "1.33 or set the version to 1.32");
}

TEST(ImageClaimsTest, TheRecordFillsInWhatIsNotGiven)
{
  auto c = reconcile_claims({ "", "" }, "linux/arm64/v8", "1.32", "f");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->arch, "arm64");
  EXPECT_EQ(c->version, "1.32");
  c = reconcile_claims({ "amd64", "1.33" }, "linux/amd64", "1.33", "f");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->arch, "amd64");
  EXPECT_EQ(c->version, "1.33");
  // No record (a file ocne did not build, or an older stamp): the flags stand.
  c = reconcile_claims({ "arm64", "1.31" }, "", "", "f");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->arch, "arm64");
  EXPECT_EQ(c->version, "1.31");
  c = reconcile_claims({ "", "" }, "", "", "f");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->arch, "");
}

TEST(ImageClaimsTest, FlagsThatContradictTheRecordAreRefused)
{
  auto c = reconcile_claims({ "arm64", "" }, "linux/amd64", "1.33", "/i/boot.oci");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(),
            "--arch arm64: /i/boot.oci was built from a linux/amd64 image (ocne's record of it "
            "says so); give --arch amd64");
  c = reconcile_claims({ "", "1.32" }, "linux/amd64", "1.33", "/i/boot.oci");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(),
            "--version 1.32: /i/boot.oci holds Kubernetes 1.33 (ocne's record of it says so); "
            "give --version 1.33");
}

} // namespace
} // namespace ocne::image
