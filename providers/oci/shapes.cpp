#include "providers/oci/shapes.hpp"

namespace ocne::providers::oci {

std::string_view
shape_architecture(std::string_view shape)
{
  std::size_t start = 0;
  while (start <= shape.size()) {
    auto end = shape.find('.', start);
    if (end == std::string_view::npos) {
      end = shape.size();
    }
    const auto part = shape.substr(start, end - start);
    if (part.size() >= 2 && part[0] == 'A' && part.find_first_not_of("0123456789", 1) == std::string_view::npos) {
      return "arm64";
    }
    start = end + 1;
  }
  return "amd64";
}

} // namespace ocne::providers::oci
