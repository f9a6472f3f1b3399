// The platform an image says it is for, against --arch (each source form
// is tested with real layouts in local_source_test and the registry tests).

#include "pkg/image/platform_check.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

const Platform k_none{};
const Platform k_amd{ "linux", "amd64", "" };
const Platform k_arm{ "linux", "arm64", "" };

TEST(PlatformCheckTest, ReadsTheConfig)
{
  auto p = config_platform(R"({"architecture":"arm64","os":"linux","variant":"v8","rootfs":{}})", "img");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->str(), "linux/arm64/v8");
  p = config_platform(R"({"rootfs":{}})", "img");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->architecture, "");
  EXPECT_EQ(p->os, "");
  EXPECT_TRUE(config_platform("{", "img").error().message().starts_with("img: the image config is not valid JSON: "));
}

TEST(PlatformCheckTest, AcceptsWhatMatchesFromEitherSource)
{
  EXPECT_EQ(*check_platform(k_amd, k_amd, Arch::amd64, "img"), "linux/amd64");
  EXPECT_EQ(*check_platform(std::nullopt, k_arm, Arch::arm64, "img"), "linux/arm64");
  EXPECT_EQ(*check_platform(Platform{ "linux", "arm64", "v8" }, k_arm, Arch::arm64, "img"), "linux/arm64/v8");
  // A config with an architecture and no os is read as Linux.
  EXPECT_EQ(*check_platform(std::nullopt, Platform{ "", "amd64", "" }, Arch::amd64, "img"), "linux/amd64");
  // An index entry is enough when the config is silent.
  EXPECT_EQ(*check_platform(k_arm, k_none, Arch::arm64, "img"), "linux/arm64");
  // The kernel's names mean the same.
  EXPECT_EQ(*check_platform(std::nullopt, Platform{ "linux", "x86_64", "" }, Arch::amd64, "img"), "linux/x86_64");
}

TEST(PlatformCheckTest, RefusesAnotherArchitectureNamingBoth)
{
  auto r = check_platform(k_amd, k_amd, Arch::arm64, "oci:/l:1.33");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(r.error().message(), "oci:/l:1.33 is a linux/amd64 image (its index entry says so), not linux/arm64");
  r = check_platform(std::nullopt, k_amd, Arch::arm64, "oci:/l:1.33");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "oci:/l:1.33 is a linux/amd64 image (its image config says so), not linux/arm64");
  r = check_platform(std::nullopt, Platform{ "windows", "amd64", "" }, Arch::amd64, "img");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "img is a windows/amd64 image (its image config says so), not linux/amd64");
  r = check_platform(Platform{ "linux", "arm64", "v7" }, k_none, Arch::arm64, "img");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "img is a linux/arm64/v7 image (its index entry says so), not linux/arm64");
  r = check_platform(std::nullopt, Platform{ "linux", "s390x", "" }, Arch::amd64, "img");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "img is a linux/s390x image (its image config says so), not linux/amd64");
}

TEST(PlatformCheckTest, RefusesAConfigThatDisagreesWithItsIndexEntry)
{
  // The entry matches the request; the image behind it is another one.
  auto r = check_platform(k_arm, k_amd, Arch::arm64, "reg/ock:1.33");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(r.error().message(),
            "reg/ock:1.33: its index entry says linux/arm64 but its image config says "
            "linux/amd64; refusing an image whose platform is unclear");
  r = check_platform(k_amd, Platform{ "windows", "", "" }, Arch::amd64, "img");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "img: its index entry says linux/amd64 but its image config says windows/?; "
            "refusing an image whose platform is unclear");
}

TEST(PlatformCheckTest, RefusesAnImageThatSaysNothing)
{
  for (const auto& entry : { std::optional<Platform>(), std::optional<Platform>(k_none) }) {
    auto r = check_platform(entry, k_none, Arch::amd64, "img");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(),
              "img: neither an index entry nor the image config says which platform the image "
              "is for, so it cannot be used as linux/amd64");
  }
}

TEST(PlatformCheckTest, RecordedPlatforms)
{
  EXPECT_TRUE(platform_is("linux/amd64", Arch::amd64));
  EXPECT_TRUE(platform_is("linux/arm64/v8", Arch::arm64));
  EXPECT_FALSE(platform_is("linux/amd64", Arch::arm64));
  EXPECT_FALSE(platform_is("linux/arm64", Arch::amd64));
  EXPECT_FALSE(platform_is("", Arch::amd64));
  EXPECT_FALSE(platform_is("amd64", Arch::amd64));
  EXPECT_FALSE(platform_is("/amd64", Arch::amd64));
  EXPECT_FALSE(platform_is("windows/amd64", Arch::amd64));
}

} // namespace
} // namespace ocne::image
