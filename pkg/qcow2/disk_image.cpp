#include "pkg/qcow2/disk_image.hpp"

#include <algorithm>
#include <cstring>

namespace ocne::qcow2 {

std::string_view
to_string(Format format)
{
  return format == Format::qcow2 ? "qcow2" : "raw";
}

bool
DiskImage::known_zero(std::uint64_t offset, std::uint64_t length) const
{
  const auto& list = extents();
  const std::uint64_t end = offset + length;
  // The first extent that ends after offset.
  auto it = std::upper_bound(
    list.begin(), list.end(), offset, [](std::uint64_t value, const Extent& e) { return value < e.offset + e.length; });
  for (; it != list.end() && it->offset < end; ++it) {
    if (!it->zero) {
      return false;
    }
  }
  return true;
}

bool
all_zero(std::span<const char> data)
{
  const char* p = data.data();
  std::size_t n = data.size();
  // Byte-wise to an 8-byte boundary, then words.
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7U) != 0) {
    if (*p != 0) {
      return false;
    }
    ++p;
    --n;
  }
  while (n >= 64) {
    std::uint64_t w[8];
    std::memcpy(w, p, sizeof(w));
    if ((w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) != 0) {
      return false;
    }
    p += 64;
    n -= 64;
  }
  while (n > 0) {
    if (*p != 0) {
      return false;
    }
    ++p;
    --n;
  }
  return true;
}

} // namespace ocne::qcow2
