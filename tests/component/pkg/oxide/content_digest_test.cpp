#include "pkg/oxide/content_digest.hpp"

#include "tests/servers/oxide/oxide_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ocne::oxide {
namespace {

class ContentDigestTest : public ocne::test::TempDirTest
{};

// The client's digest and the test server's independent one agree, and
// depend on content only.
TEST_F(ContentDigestTest, MatchesTheServerDefinition)
{
  const std::uint64_t disk = 1ULL << 30;
  std::string chunk_a(k_chunk_size, 'a');
  std::string chunk_b(k_chunk_size, '\0');
  chunk_b[100] = 'b';
  const auto raw = dir() / "disk.raw";
  {
    std::ofstream out(raw, std::ios::binary);
    out << chunk_a << std::string(k_chunk_size, '\0') << chunk_b;
  }
  ContentDigest d(disk);
  d.set(0, sha256(chunk_a));
  d.set(2, sha256(chunk_b));
  EXPECT_EQ(d.finish(), ocne::test::content_digest_of_file(raw, disk));
  EXPECT_EQ(d.finish().rfind("sparse-sha256:", 0), 0U);
  EXPECT_EQ(d.finish().size(), 14U + 64U);

  ContentDigest other(disk);
  other.set(0, sha256(chunk_a));
  EXPECT_NE(other.finish(), d.finish());
  ContentDigest bigger(2 * disk);
  bigger.set(0, sha256(chunk_a));
  bigger.set(2, sha256(chunk_b));
  EXPECT_NE(bigger.finish(), d.finish()) << "the disk size is part of the digest";
}

} // namespace
} // namespace ocne::oxide
