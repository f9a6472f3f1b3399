#include "pkg/image/reference.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

const std::string k_hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Good
{
  std::string text;
  std::string registry;
  std::string repository;
  std::string tag;
  std::string digest;
  std::string api_host;
};

TEST(ReferenceTest, ParsesValidReferences)
{
  const std::vector<Good> cases = {
    { "container-registry.oracle.com/olcne/ock:1.33",
      "container-registry.oracle.com",
      "olcne/ock",
      "1.33",
      "",
      "container-registry.oracle.com" },
    { "docker://container-registry.oracle.com/olcne/ock:1.33",
      "container-registry.oracle.com",
      "olcne/ock",
      "1.33",
      "",
      "container-registry.oracle.com" },
    { "container-registry.oracle.com/olcne/ock",
      "container-registry.oracle.com",
      "olcne/ock",
      "latest",
      "",
      "container-registry.oracle.com" },
    { "busybox", "docker.io", "library/busybox", "latest", "", "registry-1.docker.io" },
    { "busybox:1.36", "docker.io", "library/busybox", "1.36", "", "registry-1.docker.io" },
    { "user/app:v1", "docker.io", "user/app", "v1", "", "registry-1.docker.io" },
    { "docker.io/library/busybox", "docker.io", "library/busybox", "latest", "", "registry-1.docker.io" },
    { "index.docker.io/user/app", "docker.io", "user/app", "latest", "", "registry-1.docker.io" },
    { "localhost/app", "localhost", "app", "latest", "", "localhost" },
    { "localhost:5000/olcne/ock:1.33", "localhost:5000", "olcne/ock", "1.33", "", "localhost:5000" },
    { "127.0.0.1:40123/olcne/ock:1.33-amd64", "127.0.0.1:40123", "olcne/ock", "1.33-amd64", "", "127.0.0.1:40123" },
    { "[::1]:5000/a/b:c", "[::1]:5000", "a/b", "c", "", "[::1]:5000" },
    { "Registry/app", "Registry", "app", "latest", "", "Registry" },
    { "reg.example/a/b/c/d:t_1.x-y", "reg.example", "a/b/c/d", "t_1.x-y", "", "reg.example" },
    { "reg.example/my-app__x.y:t", "reg.example", "my-app__x.y", "t", "", "reg.example" },
    { "reg.example/a@sha256:" + k_hex, "reg.example", "a", "", "sha256:" + k_hex, "reg.example" },
    { "reg.example/a:1.33@sha256:" + k_hex, "reg.example", "a", "1.33", "sha256:" + k_hex, "reg.example" },
    { "localhost:5000", "docker.io", "library/localhost", "5000", "", "registry-1.docker.io" },
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto ref = parse_reference(c.text);
    ASSERT_TRUE(ref) << ref.error().message();
    EXPECT_EQ(ref->registry, c.registry);
    EXPECT_EQ(ref->repository, c.repository);
    EXPECT_EQ(ref->tag, c.tag);
    EXPECT_EQ(ref->digest ? ref->digest->str() : "", c.digest);
    EXPECT_EQ(ref->api_host(), c.api_host);
  }
}

TEST(ReferenceTest, FormatsAndChoosesWhatToPull)
{
  auto ref = parse_reference("docker://container-registry.oracle.com/olcne/ock:1.33");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->str(), "container-registry.oracle.com/olcne/ock:1.33");
  EXPECT_EQ(ref->manifest_ref(), "1.33");
  ref = parse_reference("reg.example/a:1.33@sha256:" + k_hex);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->str(), "reg.example/a:1.33@sha256:" + k_hex);
  EXPECT_EQ(ref->manifest_ref(), "sha256:" + k_hex);
  EXPECT_EQ(parse_reference("busybox")->str(), "docker.io/library/busybox:latest");
}

TEST(ReferenceTest, RejectsMalformedReferences)
{
  const std::vector<std::pair<std::string, std::string>> cases = {
    { "", "invalid image reference '': it is empty" },
    { "docker://", "invalid image reference 'docker://': it is empty" },
    { "http://reg/a", "invalid image reference 'http://reg/a': unsupported transport 'http://': use docker://" },
    { "reg.example/Olcne/ock", "invalid image reference 'reg.example/Olcne/ock': repository names must be lower case" },
    { "reg.example/a:",
      "invalid image reference 'reg.example/a:': invalid tag '': a tag is up to 128 letters, digits, "
      "'_', '.' and '-', not starting with '.' or '-'" },
    { "reg.example/a:.x",
      "invalid image reference 'reg.example/a:.x': invalid tag '.x': a tag is up to 128 letters, "
      "digits, '_', '.' and '-', not starting with '.' or '-'" },
    { "reg.example/a:" + std::string(129, 't'),
      "invalid image reference 'reg.example/a:" + std::string(129, 't') + "': invalid tag '" + std::string(129, 't') +
        "': a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'" },
    { "reg.example//a", "invalid image reference 'reg.example//a': the repository name has an empty path component" },
    { "reg.example/", "invalid image reference 'reg.example/': the repository name is missing" },
    { "reg.example/a-/b", "invalid image reference 'reg.example/a-/b': invalid repository path component 'a-'" },
    { "reg.example/a..b", "invalid image reference 'reg.example/a..b': invalid repository path component 'a..b'" },
    { "reg.example/a@sha256:abc",
      "invalid image reference 'reg.example/a@sha256:abc': invalid digest 'sha256:abc': "
      "expected sha256:<64 hex digits>" },
    { "reg.example/a@md5:abc",
      "invalid image reference 'reg.example/a@md5:abc': unsupported digest algorithm 'md5' in "
      "'md5:abc': only sha256 is supported" },
    { "reg_x.example:99/a", "invalid image reference 'reg_x.example:99/a': invalid registry host 'reg_x.example:99'" },
    { "reg.example:port/a", "invalid image reference 'reg.example:port/a': invalid registry host 'reg.example:port'" },
    { "reg.example/a b", "invalid image reference 'reg.example/a b': it contains white space" },
    { "reg.example/" + std::string(250, 'a'),
      "invalid image reference 'reg.example/" + std::string(250, 'a') + "': the name is longer than 255 characters" },
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    auto ref = parse_reference(text);
    ASSERT_FALSE(ref);
    EXPECT_EQ(ref.error().kind(), ErrorKind::invalid_input);
    EXPECT_EQ(ref.error().message(), message);
  }
}

} // namespace
} // namespace ocne::image
