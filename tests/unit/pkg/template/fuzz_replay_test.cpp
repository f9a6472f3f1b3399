// Runs the renderer's fuzz entry point (tests/fuzz/template_render_fuzz.cpp)
// over its seed corpus and over deterministic mutations of it, so every
// build exercises it, not only fuzzing runs. A crash or an abort fails.
// OCNE_FUZZ_DUMP=<file> writes each input there before running it, so the
// one that hangs or crashes can be found.

#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace ocne::test {
namespace {

int
run_one(const std::string& input)
{
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::vector<std::string>
corpus()
{
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(source_dir() / "tests" / "fuzz" / "corpus" / "template_render")) {
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  return out;
}

TEST(TemplateFuzzReplay, SeedCorpus)
{
  const auto seeds = corpus();
  ASSERT_GE(seeds.size(), 3U);
  for (const auto& s : seeds) {
    EXPECT_EQ(run_one(s), 0);
  }
}

TEST(TemplateFuzzReplay, Mutations)
{
  // Characters that matter to YAML and to the variable syntax.
  static constexpr char k_chars[] = "${}:=-#'\"|>[],\n \t\\\x01\0ABCDtsno&*!?%@`x1.";
  static const std::string k_alphabet(k_chars, sizeof(k_chars) - 1); // keeps the NUL
  const auto seeds = corpus();
  std::mt19937 rng(20261121);
  for (int i = 0; i < 1000; ++i) {
    std::string s = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const auto pos = rng() % s.size();
      const char c = k_alphabet[rng() % k_alphabet.size()];
      switch (rng() % 3) {
        case 0:
          s[pos] = c;
          break;
        case 1:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), c);
          break;
        default:
          s.erase(pos, 1 + rng() % 3);
      }
    }
    if (const char* dump = std::getenv("OCNE_FUZZ_DUMP"); dump != nullptr) {
      std::ofstream(dump, std::ios::binary) << s;
    }
    EXPECT_EQ(run_one(s), 0);
  }
}

} // namespace
} // namespace ocne::test
