#include "pkg/ock/update_yaml.hpp"

#include <gtest/gtest.h>

namespace ocne::ock {
namespace {

constexpr const char* k_file =
  "registry: container-registry.oracle.com/olcne/ock-ostree\ntag: 1.33\ntransport: ostree-unverified-registry\n";

TEST(UpdateYaml, ParsesTheThreeKeysLikeTheUpdateScript)
{
  EXPECT_EQ(parse_update_yaml(k_file),
            (UpdateSource{ "container-registry.oracle.com/olcne/ock-ostree", "1.33", "ostree-unverified-registry" }));
  // Quotes, CRLF, comments, nested keys and missing keys.
  EXPECT_EQ(parse_update_yaml("# staged by hand\r\nregistry: \"r.example/ock\"\r\ntag: '1.34'\r\n  transport: x\r\n"),
            (UpdateSource{ "r.example/ock", "1.34", "" }));
  EXPECT_EQ(parse_update_yaml(""), UpdateSource{});
}

TEST(UpdateYaml, RewriteKeepsOtherLinesAndAppendsMissingKeys)
{
  EXPECT_EQ(
    rewrite_update_yaml(k_file, { .tag = "1.34" }),
    "registry: container-registry.oracle.com/olcne/ock-ostree\ntag: 1.34\ntransport: ostree-unverified-registry\n");
  EXPECT_EQ(rewrite_update_yaml("# mine\nregistry: a/b\r\nextra: 1\n", { .registry = "c/d", .tag = "1.34" }),
            "# mine\nregistry: c/d\r\nextra: 1\ntag: 1.34\n");
  EXPECT_EQ(rewrite_update_yaml(k_file, {}), k_file);
}

TEST(UpdateYaml, MatchesOnlyWhatIsAskedFor)
{
  const auto have = parse_update_yaml(k_file);
  EXPECT_TRUE(update_source_matches(have, { .tag = "1.33" }));
  EXPECT_FALSE(update_source_matches(have, { .tag = "1.34" }));
  EXPECT_FALSE(update_source_matches(have, { .registry = "other/ock", .tag = "1.33" }));
  EXPECT_TRUE(update_source_matches(have, { .tag = "1.33", .transport = "ostree-unverified-registry" }));
}

TEST(UpdateYaml, RefusesTaggedRegistriesAndTransportsTheServiceRejects)
{
  for (const char* ok : { "ostree-unverified-registry",
                          "ostree-unverified-image:docker://",
                          "docker://",
                          "ostree-image-signed:docker://",
                          "ostree-remote-registry:ock:",
                          "ostree-remote-image:ock:docker://" }) {
    EXPECT_TRUE(validate_transport(ok)) << ok;
  }
  for (const char* bad : { "", "docker", "oci:", "ostree-remote-registry", "ostree-unverified-registry:x", "a b" }) {
    const auto r = validate_transport(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::invalid_input);
    EXPECT_NE(r.error().message().find("--transport"), std::string::npos);
  }
  EXPECT_TRUE(validate_os_registry("container-registry.oracle.com/olcne/ock-ostree"));
  EXPECT_TRUE(validate_os_registry("localhost:5000/ock-ostree"));
  const auto tagged = validate_os_registry("container-registry.oracle.com/olcne/ock-ostree:1.34");
  ASSERT_FALSE(tagged);
  EXPECT_EQ(tagged.error().message(),
            "--os-registry 'container-registry.oracle.com/olcne/ock-ostree:1.34': cannot have a tag or digest (the "
            "tag is the Kubernetes version)");
  EXPECT_FALSE(validate_os_registry("r.example/ock@sha256:abcd"));
  EXPECT_FALSE(validate_os_registry("r.example/ock extra"));
}

TEST(UpdateYaml, TagMinor)
{
  EXPECT_EQ(tag_minor("1.34"), "1.34");
  EXPECT_EQ(tag_minor("1.34.1"), std::nullopt);
  EXPECT_EQ(tag_minor("v1.34"), std::nullopt);
  EXPECT_EQ(tag_minor("custom"), std::nullopt);
}

} // namespace
} // namespace ocne::ock
