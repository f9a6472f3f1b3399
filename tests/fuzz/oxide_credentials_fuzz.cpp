// Fuzzes the parser of the oxide CLI's credentials.toml.

#include "pkg/config/oxide_credentials.hpp"

#include <cstdint>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto profiles = ocne::config::parse_oxide_credentials(text, "credentials.toml");
  if (profiles) {
    for (const auto& [name, profile] : *profiles) {
      if (profile.host.empty() || profile.token.empty()) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
