#include "pkg/ignition/merge.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace ocne::ignition {

using nlohmann::json;

namespace {

enum class ListRule { keyed, union_strings, append };

struct ListSpec
{
  ListRule rule;
  const char* key = nullptr;
};

// Lists by their path (list items written as "[]").
const std::map<std::string, ListSpec, std::less<>>&
list_specs()
{
  static const std::map<std::string, ListSpec, std::less<>> value = {
    { "ignition.config.merge", { ListRule::keyed, "source" } },
    { "ignition.security.tls.certificateAuthorities", { ListRule::keyed, "source" } },
    { "ignition.proxy.noProxy", { ListRule::union_strings } },
    { "storage.disks", { ListRule::keyed, "device" } },
    { "storage.disks[].partitions", { ListRule::keyed, "number" } },
    { "storage.raid", { ListRule::keyed, "name" } },
    { "storage.raid[].devices", { ListRule::union_strings } },
    { "storage.raid[].options", { ListRule::append } },
    { "storage.filesystems", { ListRule::keyed, "device" } },
    { "storage.filesystems[].options", { ListRule::append } },
    { "storage.filesystems[].mountOptions", { ListRule::append } },
    { "storage.luks", { ListRule::keyed, "name" } },
    { "storage.luks[].options", { ListRule::append } },
    { "storage.luks[].openOptions", { ListRule::append } },
    { "storage.luks[].clevis.tang", { ListRule::keyed, "url" } },
    { "storage.files", { ListRule::keyed, "path" } },
    { "storage.files[].append", { ListRule::append } },
    { "storage.directories", { ListRule::keyed, "path" } },
    { "storage.links", { ListRule::keyed, "path" } },
    { "systemd.units", { ListRule::keyed, "name" } },
    { "systemd.units[].dropins", { ListRule::keyed, "name" } },
    { "passwd.users", { ListRule::keyed, "name" } },
    { "passwd.users[].sshAuthorizedKeys", { ListRule::union_strings } },
    { "passwd.users[].groups", { ListRule::union_strings } },
    { "passwd.groups", { ListRule::keyed, "name" } },
    { "kernelArguments.shouldExist", { ListRule::union_strings } },
    { "kernelArguments.shouldNotExist", { ListRule::union_strings } },
  };
  return value;
}

json merge_value(const json& parent, const json& child, const std::string& path);

// The key of a keyed list item; partitions with number 0 use their label.
std::string
item_key(const json& item, const char* key)
{
  if (!item.is_object() || !item.contains(key)) {
    return {};
  }
  const auto& value = item[key];
  if (std::string_view(key) == "number" && value.is_number_integer() && value.get<long long>() == 0) {
    return item.contains("label") && item["label"].is_string() ? "label:" + item["label"].get<std::string>() : "";
  }
  return value.is_string() ? value.get<std::string>() : value.dump();
}

json
merge_http_headers(const json& parent, const json& child)
{
  json out = parent;
  for (const auto& header : child) {
    const auto name = item_key(header, "name");
    bool found = false;
    for (auto it = out.begin(); it != out.end(); ++it) {
      if (item_key(*it, "name") == name) {
        found = true;
        if (!header.contains("value") || header["value"].is_null()) {
          out.erase(it); // a child header without a value removes the parent's
        } else {
          *it = header;
        }
        break;
      }
    }
    if (!found && header.contains("value") && !header["value"].is_null()) {
      out.push_back(header);
    }
  }
  return out;
}

json
merge_list(const json& parent, const json& child, const std::string& path)
{
  if (path.size() >= 11 && path.compare(path.size() - 11, 11, "httpHeaders") == 0) {
    return merge_http_headers(parent, child);
  }
  const auto spec = list_specs().find(path);
  if (spec == list_specs().end() || spec->second.rule == ListRule::append) {
    json out = parent;
    for (const auto& item : child) {
      out.push_back(item);
    }
    return out;
  }
  if (spec->second.rule == ListRule::union_strings) {
    json out = parent;
    for (const auto& item : child) {
      if (std::find(out.begin(), out.end(), item) == out.end()) {
        out.push_back(item);
      }
    }
    return out;
  }
  json out = parent;
  for (const auto& item : child) {
    const auto key = item_key(item, spec->second.key);
    bool merged = false;
    if (!key.empty()) {
      for (auto& existing : out) {
        if (item_key(existing, spec->second.key) == key) {
          existing = merge_value(existing, item, path + "[]");
          merged = true;
          break;
        }
      }
    }
    if (!merged) {
      out.push_back(item);
    }
  }
  return out;
}

json
merge_value(const json& parent, const json& child, const std::string& path)
{
  if (child.is_null()) {
    return parent;
  }
  if (parent.is_object() && child.is_object()) {
    json out = parent;
    for (const auto& [key, value] : child.items()) {
      const std::string sub = path.empty() ? key : path + "." + key;
      if (out.contains(key)) {
        out[key] = merge_value(out[key], value, sub);
      } else {
        out[key] = value;
      }
    }
    return out;
  }
  if (parent.is_array() && child.is_array()) {
    return merge_list(parent, child, path);
  }
  return child;
}

// Files, directories and links share one namespace: an entry in the child
// replaces a parent entry of another kind at the same path.
void
drop_cross_kind_paths(json& parent, const json& child)
{
  if (!parent.contains("storage") || !child.contains("storage") || !child["storage"].is_object()) {
    return;
  }
  static const char* k_kinds[] = { "files", "directories", "links" };
  for (const auto* kind : k_kinds) {
    const auto list = child["storage"].find(kind);
    if (list == child["storage"].end() || !list->is_array()) {
      continue;
    }
    for (const auto& item : *list) {
      const auto path = item_key(item, "path");
      for (const auto* other : k_kinds) {
        if (std::string_view(other) == kind || !parent["storage"].contains(other)) {
          continue;
        }
        auto& entries = parent["storage"][other];
        for (auto it = entries.begin(); it != entries.end();) {
          it = item_key(*it, "path") == path ? entries.erase(it) : it + 1;
        }
      }
    }
  }
}

} // namespace

Result<std::string>
merge_configs(std::string_view parent_json, std::string_view child_json, std::string_view child_origin)
{
  json parent;
  json child;
  try {
    parent = json::parse(parent_json);
  } catch (const json::parse_error& e) {
    return make_error(ErrorKind::internal, "the base Ignition config is not valid JSON: {}", e.what());
  }
  try {
    child = json::parse(child_json);
  } catch (const json::parse_error& e) {
    return make_error(ErrorKind::invalid_input, "{}: not valid JSON: {}", child_origin, e.what());
  }
  if (!parent.is_object() || !child.is_object()) {
    return make_error(ErrorKind::invalid_input, "{}: an Ignition config must be a JSON object", child_origin);
  }
  const json version = parent.contains("ignition") ? parent["ignition"].value("version", json()) : json();
  drop_cross_kind_paths(parent, child);
  json merged = merge_value(parent, child, "");
  if (!version.is_null()) {
    merged["ignition"]["version"] = version;
  }
  return merged.dump();
}

} // namespace ocne::ignition
