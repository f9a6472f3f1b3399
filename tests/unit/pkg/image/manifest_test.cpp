#include "pkg/image/manifest.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

std::string
digest_of(char c)
{
  return "sha256:" + std::string(64, c);
}

std::string
index_json(const std::string& type = "application/vnd.oci.image.index.v1+json")
{
  return R"({"schemaVersion":2,"mediaType":")" + type + R"(","manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         digest_of('a') + R"(","size":10,
     "platform":{"architecture":"amd64","os":"linux"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         digest_of('b') + R"(","size":11,
     "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         digest_of('c') + R"(","size":12,
     "annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]})";
}

TEST(ManifestTest, ParsesAnIndexAndPicksTheArchitecture)
{
  auto parsed = parse_manifest(index_json(), "", "ref");
  ASSERT_TRUE(parsed) << parsed.error().message();
  const auto& index = std::get<Index>(*parsed);
  ASSERT_EQ(index.manifests.size(), 3U);
  EXPECT_EQ(select_platform(index, Arch::amd64, "ref")->digest.str(), digest_of('a'));
  auto arm = select_platform(index, Arch::arm64, "ref");
  ASSERT_TRUE(arm);
  EXPECT_EQ(arm->digest.str(), digest_of('b'));
  EXPECT_EQ(arm->size, 11U);
  EXPECT_EQ(arm->platform->str(), "linux/arm64/v8");
}

TEST(ManifestTest, ReportsAMissingArchitecture)
{
  Index index;
  index.manifests.push_back(Descriptor{ "", *parse_digest(digest_of('a')), 1, Platform{ "linux", "amd64", "" }, {} });
  index.manifests.push_back(Descriptor{ "", *parse_digest(digest_of('b')), 1, Platform{ "windows", "arm64", "" }, {} });
  auto d = select_platform(index, Arch::arm64, "reg/olcne/ock:1.33");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(d.error().message(), "reg/olcne/ock:1.33 has no linux/arm64 image (it has linux/amd64, windows/arm64)");
}

TEST(ManifestTest, ParsesDockerListsAndManifestsByContentTypeOrShape)
{
  auto list = parse_manifest(
    R"({"schemaVersion":2,"manifests":[]})", "application/vnd.docker.distribution.manifest.list.v2+json", "ref");
  ASSERT_TRUE(list);
  EXPECT_EQ(std::get<Index>(*list).media_type, media_type::docker_list);

  const auto manifest_body = R"({"schemaVersion":2,
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":")" +
                             digest_of('c') + R"(","size":5},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":")" +
                             digest_of('d') + R"(","size":123456789012}]})";
  auto m = parse_manifest(manifest_body, "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8", "ref");
  ASSERT_TRUE(m) << m.error().message();
  const auto& manifest = std::get<Manifest>(*m);
  EXPECT_EQ(manifest.media_type, media_type::docker_manifest);
  EXPECT_EQ(manifest.config.size, 5U);
  ASSERT_EQ(manifest.layers.size(), 1U);
  EXPECT_EQ(manifest.layers[0].size, 123456789012U);
  EXPECT_TRUE(is_tar_layer(manifest.layers[0].media_type));
  // No usable content type: the shape decides.
  m = parse_manifest(manifest_body, "application/octet-stream", "ref");
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<Manifest>(*m).media_type, media_type::oci_manifest);
}

TEST(ManifestTest, RejectsBadManifests)
{
  EXPECT_EQ(parse_manifest("[1]", "", "ref").error().message(), "ref: the manifest is not a JSON object");
  EXPECT_TRUE(parse_manifest("{", "", "ref").error().message().starts_with("ref: the manifest is not valid JSON: "));
  EXPECT_EQ(parse_manifest(R"({"schemaVersion":1,"fsLayers":[]})", "", "ref").error().message(),
            "ref: unsupported manifest schema (only schema version 2, OCI and Docker v2, is supported)");
  EXPECT_EQ(parse_manifest(R"({"schemaVersion":2,"mediaType":"application/x-other"})", "", "ref").error().message(),
            "ref: unsupported manifest type 'application/x-other'");
  EXPECT_EQ(
    parse_manifest(R"({"schemaVersion":2,"manifests":[{"digest":"sha256:12","size":1}]})", "", "ref").error().message(),
    "ref: invalid digest 'sha256:12': expected sha256:<64 hex digits>");
  EXPECT_EQ(
    parse_manifest(R"({"schemaVersion":2,"manifests":[{"digest":")" + digest_of('a') + R"(","size":-1}]})", "", "ref")
      .error()
      .message(),
    "ref: descriptor sha256:aaaaaaaaaaaa has no valid size");
  EXPECT_EQ(parse_manifest(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                               "layers":[]})",
                           "",
                           "ref")
              .error()
              .message(),
            "ref: the manifest has no config");
}

TEST(ManifestTest, AcceptHeaderNamesAllFourTypes)
{
  const auto accept = manifest_accept_header();
  for (const auto t :
       { media_type::oci_index, media_type::oci_manifest, media_type::docker_list, media_type::docker_manifest }) {
    EXPECT_NE(accept.find(t), std::string::npos) << t;
  }
}

} // namespace
} // namespace ocne::image
