#include "providers/oxide/image_id.hpp"

#include <regex>
#include <string>

namespace ocne::providers::oxide {

std::string
image_id_problem(std::string_view leaf, std::string_view value)
{
  static const std::regex uuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  if (leaf == "imageID" && !std::regex_match(std::string(value), uuid)) {
    return "not an Oxide image UUID";
  }
  return {};
}

} // namespace ocne::providers::oxide
