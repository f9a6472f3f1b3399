// Fuzzes the ~/.oci/config INI parser.

#include "pkg/config/oci_config.hpp"

#include <cstdint>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto ini = ocne::config::parse_ini(text, "config");
  if (ini) {
    for (const auto& [section, keys] : ini->sections) {
      for (const auto& [key, value] : keys) {
        if (value.line <= 0) {
          __builtin_trap();
        }
      }
    }
  }
  return 0;
}
