#include "pkg/config/yaml_path.hpp"

#include "pkg/core/strings.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>

namespace ocne::config {

Result<std::string>
yaml_select(std::string_view yaml_text, std::string_view path)
{
  YAML::Node node;
  try {
    node = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::internal, "cannot read YAML: {}", e.msg);
  }
  std::string walked;
  for (const auto& segment : str::split(path, '.')) {
    if (segment.empty()) {
      return make_error(ErrorKind::invalid_input, "field {} has an empty part", str::quote(path));
    }
    walked += walked.empty() ? segment : "." + segment;
    if (node.IsSequence()) {
      std::size_t index = 0;
      const auto [ptr, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
      if (ec != std::errc() || ptr != segment.data() + segment.size() || index >= node.size()) {
        return make_error(
          ErrorKind::not_found, "field {} does not exist (a list of {} items)", str::quote(walked), node.size());
      }
      node.reset(node[index]);
      continue;
    }
    if (!node.IsMap()) {
      return make_error(ErrorKind::not_found, "field {} does not exist", str::quote(walked));
    }
    bool found = false;
    const auto wanted = str::to_lower(segment);
    for (const auto& kv : node) {
      if (str::to_lower(kv.first.as<std::string>()) == wanted) {
        const YAML::Node child = kv.second;
        node.reset(child);
        found = true;
        break;
      }
    }
    if (!found) {
      return make_error(ErrorKind::not_found, "field {} does not exist", str::quote(walked));
    }
  }
  if (node.IsScalar()) {
    return node.Scalar();
  }
  if (node.IsNull()) {
    return std::string();
  }
  YAML::Emitter out;
  out << node;
  return std::string(out.c_str());
}

} // namespace ocne::config
