#include "pkg/cluster_templates/ignition_merge.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <utility>

namespace ocne::cluster_templates {
namespace {

using Json = nlohmann::ordered_json;

// The field that identifies an entry of a keyed list, by the list's name.
std::string_view
list_key(std::string_view list)
{
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> k_keys = { {
    { "files", "path" },
    { "directories", "path" },
    { "links", "path" },
    { "units", "name" },
    { "dropins", "name" },
    { "users", "name" },
    { "groups", "name" },
    { "disks", "device" },
    { "filesystems", "device" },
    { "raid", "name" },
    { "luks", "name" },
  } };
  for (const auto& [name, key] : k_keys) {
    if (name == list) {
      return key;
    }
  }
  return {};
}

void
merge_list(Json& parent, const Json& child, std::string_view name)
{
  const auto key = std::string(list_key(name));
  for (const auto& item : child) {
    if (!key.empty() && item.is_object() && item.contains(key)) {
      bool merged = false;
      for (auto& existing : parent) {
        if (existing.is_object() && existing.contains(key) && existing[key] == item[key]) {
          merge_ignition(existing, item);
          merged = true;
          break;
        }
      }
      if (!merged) {
        parent.push_back(item);
      }
    } else if (!item.is_object() && !item.is_array()) {
      // Lists of strings (SSH keys, groups, kernel arguments) are sets.
      bool present = false;
      for (const auto& existing : parent) {
        present = present || existing == item;
      }
      if (!present) {
        parent.push_back(item);
      }
    } else {
      parent.push_back(item);
    }
  }
}

} // namespace

Result<Json>
parse_extra_ignition(std::string_view text, std::string_view origin)
{
  Json config;
  try {
    config = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] != '{') {
      return make_error(ErrorKind::invalid_input,
                        "{}: not an Ignition JSON config; Butane YAML is not supported for oci and oxide clusters "
                        "yet (translate it with `butane` first)",
                        origin);
    }
    return make_error(ErrorKind::invalid_input,
                      "{}: not valid JSON at byte {}: {}",
                      origin,
                      e.byte,
                      std::string(e.what()).substr(std::string(e.what()).find(':') + 2));
  }
  if (!config.is_object()) {
    return make_error(ErrorKind::invalid_input, "{}: an Ignition config must be a JSON object", origin);
  }
  const auto ignition = config.find("ignition");
  if (ignition == config.end() || !ignition->is_object() || !ignition->contains("version") ||
      !(*ignition)["version"].is_string()) {
    return make_error(ErrorKind::invalid_input, "{}: ignition.version is missing", origin);
  }
  static constexpr std::array<std::string_view, 5> k_versions = { "3.0.0", "3.1.0", "3.2.0", "3.3.0", "3.4.0" };
  const auto& v = (*ignition)["version"].get_ref<const std::string&>();
  bool known = false;
  for (const auto k : k_versions) {
    known = known || v == k;
  }
  if (!known) {
    return make_error(ErrorKind::invalid_input,
                      "{}: Ignition spec version {} is not supported; OCK nodes read 3.0.0 to 3.4.0",
                      origin,
                      v);
  }
  return config;
}

void
merge_ignition(Json& parent, const Json& child)
{
  for (const auto& [key, value] : child.items()) {
    if (key == "version" && parent.contains("version")) {
      continue; // the parent's (newer) spec version stays
    }
    if (!parent.contains(key)) {
      parent[key] = value;
      continue;
    }
    auto& existing = parent[key];
    if (existing.is_object() && value.is_object()) {
      merge_ignition(existing, value);
    } else if (existing.is_array() && value.is_array()) {
      merge_list(existing, value, key);
    } else {
      existing = value;
    }
  }
}

} // namespace ocne::cluster_templates
