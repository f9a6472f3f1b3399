#include "pkg/core/human_bytes.hpp"

#include <fmt/format.h>

namespace ocne::str {

std::string
human_bytes(std::uint64_t bytes)
{
  static constexpr const char* k_units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024.0 && unit < 4) {
    v /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, k_units[unit]);
}

} // namespace ocne::str
