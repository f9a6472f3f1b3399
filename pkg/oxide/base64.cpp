#include "pkg/oxide/base64.hpp"

namespace ocne::oxide {

namespace {
constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::size_t
base64_length(std::size_t raw_length)
{
  return (raw_length + 2) / 3 * 4;
}

void
base64_append(std::span<const char> data, std::string& out)
{
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t n = data.size();
  const std::size_t start = out.size();
  out.resize(start + base64_length(n));
  char* o = out.data() + start;
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{ p[i] } << 16) | (std::uint32_t{ p[i + 1] } << 8) | p[i + 2];
    *o++ = k_alphabet[v >> 18];
    *o++ = k_alphabet[(v >> 12) & 63];
    *o++ = k_alphabet[(v >> 6) & 63];
    *o++ = k_alphabet[v & 63];
  }
  if (i < n) {
    std::uint32_t v = std::uint32_t{ p[i] } << 16;
    const bool two = i + 1 < n;
    if (two) {
      v |= std::uint32_t{ p[i + 1] } << 8;
    }
    *o++ = k_alphabet[v >> 18];
    *o++ = k_alphabet[(v >> 12) & 63];
    *o++ = two ? k_alphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
}

} // namespace ocne::oxide
