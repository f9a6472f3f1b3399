// libFuzzer target for the qcow2 reader (pkg/qcow2): any bytes must either be
// refused with an error or give an image whose reads succeed or fail cleanly,
// and whose holes read as zeros.

#include "pkg/qcow2/disk_image.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  auto image = ocne::qcow2::open_image(
    ocne::qcow2::memory_source(std::string(reinterpret_cast<const char*>(data), size), "fuzz.qcow2"));
  if (!image) {
    return 0;
  }
  // Read at most the first 4 MiB, in odd-sized steps across cluster edges.
  const std::uint64_t limit = std::min<std::uint64_t>((*image)->virtual_size(), 4 << 20);
  std::string buffer(100000, '\0');
  for (std::uint64_t at = 0; at < limit; at += buffer.size()) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), limit - at));
    std::span<char> out(buffer.data(), n);
    if (!(*image)->read(at, out)) {
      continue;
    }
    if ((*image)->known_zero(at, n) && !ocne::qcow2::all_zero(out)) {
      std::abort(); // a hole that does not read as zeros
    }
  }
  return 0;
}
