#include "pkg/k8s/object.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace ocne::k8s {

using nlohmann::json;

GroupVersionKind
GroupVersionKind::from(std::string_view api_version, std::string_view kind)
{
  GroupVersionKind gvk;
  const auto slash = api_version.find('/');
  if (slash == std::string_view::npos) {
    gvk.version = std::string(api_version);
  } else {
    gvk.group = std::string(api_version.substr(0, slash));
    gvk.version = std::string(api_version.substr(slash + 1));
  }
  gvk.kind = std::string(kind);
  return gvk;
}

std::string
GroupVersionKind::api_version() const
{
  return group.empty() ? version : group + "/" + version;
}

std::string
GroupVersionKind::to_string() const
{
  return group.empty() ? fmt::format("{}/{}", kind, version) : fmt::format("{}.{}/{}", kind, group, version);
}

ObjectRef
ObjectRef::of(const json& object)
{
  ObjectRef ref;
  ref.api_version = string_at(object, "/apiVersion");
  ref.kind = string_at(object, "/kind");
  ref.namespace_ = string_at(object, "/metadata/namespace");
  ref.name = string_at(object, "/metadata/name");
  return ref;
}

GroupVersionKind
ObjectRef::gvk() const
{
  return GroupVersionKind::from(api_version, kind);
}

std::string
ObjectRef::to_string() const
{
  return namespace_.empty() ? fmt::format("{} {}", kind, name) : fmt::format("{} {}/{}", kind, namespace_, name);
}

std::string
string_at(const json& object, std::string_view json_pointer)
{
  try {
    const json::json_pointer ptr{ std::string(json_pointer) };
    if (!object.contains(ptr)) {
      return {};
    }
    const auto& v = object.at(ptr);
    return v.is_string() ? v.get<std::string>() : std::string();
  } catch (const json::exception&) {
    return {};
  }
}

namespace {

bool
has_key(const json& object, const char* field, std::string_view key)
{
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return false;
  }
  const auto map = meta->find(field);
  return map != meta->end() && map->is_object() && map->contains(std::string(key));
}

} // namespace

bool
has_label(const json& object, std::string_view key)
{
  return has_key(object, "labels", key);
}

bool
has_annotation(const json& object, std::string_view key)
{
  return has_key(object, "annotations", key);
}

bool
applied_by(const json& object, std::string_view manager)
{
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return false;
  }
  const auto fields = meta->find("managedFields");
  if (fields == meta->end() || !fields->is_array()) {
    return false;
  }
  return std::any_of(fields->begin(), fields->end(), [&](const json& entry) {
    return string_at(entry, "/manager") == manager && string_at(entry, "/operation") == "Apply";
  });
}

bool
node_ready(const json& node, std::string& why)
{
  why = "no Ready condition";
  const auto status = node.is_object() ? node.value("status", json::object()) : json::object();
  const auto conditions = status.is_object() ? status.value("conditions", json::array()) : json::array();
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == "Ready") {
      if (c.value("status", "") == "True") {
        return true;
      }
      why = fmt::format("Ready={} ({}: {})", c.value("status", "?"), c.value("reason", "?"), c.value("message", ""));
    }
  }
  return false;
}

} // namespace ocne::k8s
