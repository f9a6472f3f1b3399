#include "pkg/core/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ocne {
namespace {

// FIPS 180-2 appendix B vectors.
constexpr const char* k_empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* k_abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* k_million_a = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256Test, KnownVectors)
{
  EXPECT_EQ(sha256_hex(""), k_empty);
  EXPECT_EQ(sha256_hex("abc"), k_abc);
  EXPECT_EQ(to_hex(sha256("abc")), k_abc);
}

TEST(Sha256Test, StreamingEqualsWholeAndStartsOverAfterFinish)
{
  Sha256Hasher h;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) {
    h.update(chunk);
  }
  EXPECT_EQ(h.finish_hex(), k_million_a);
  // After finish the hasher is fresh: a, b, c as bytes give "abc"'s hash.
  const unsigned char bytes[] = { 'a', 'b', 'c' };
  h.update(std::span<const unsigned char>(bytes, 1));
  h.update(std::string_view("bc"));
  EXPECT_EQ(h.finish_hex(), k_abc);
  EXPECT_EQ(h.finish_hex(), k_empty);
}

TEST(Sha256Test, MovedHasherKeepsItsState)
{
  Sha256Hasher a;
  a.update(std::string_view("ab"));
  Sha256Hasher b(std::move(a));
  b.update(std::string_view("c"));
  EXPECT_EQ(b.finish_hex(), k_abc);
}

} // namespace
} // namespace ocne
