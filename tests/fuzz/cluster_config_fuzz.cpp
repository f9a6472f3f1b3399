// Fuzzes the defaults/cluster YAML parser. Property: whatever parses must
// survive a write and a re-read unchanged.

#include "pkg/config/layer.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto kind : { ocne::config::FileKind::defaults, ocne::config::FileKind::cluster }) {
    const auto layer = ocne::config::parse_config(text, "fuzz.yaml", kind, "/base", "/home/fuzz");
    if (!layer) {
      continue;
    }
    const auto yaml = ocne::config::to_yaml(layer->config);
    const auto again =
      ocne::config::parse_config(yaml, "again.yaml", ocne::config::FileKind::cache, "/base", "/home/fuzz");
    if (!again || !(again->config == layer->config)) {
      std::abort(); // the writer produced something the reader disagrees with
    }
  }
  return 0;
}
