#pragma once

// Names for Kubernetes objects and types. Objects themselves are
// nlohmann::json values (forward-declared here to keep compile times down).

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace ocne::k8s {

struct GroupVersionKind
{
  std::string group; // "" for the core group
  std::string version;
  std::string kind;

  // From an apiVersion ("v1", "apps/v1") and a kind.
  static GroupVersionKind from(std::string_view api_version, std::string_view kind);
  std::string api_version() const;
  // "Deployment.apps/v1" style, for messages.
  std::string to_string() const;

  bool operator==(const GroupVersionKind&) const = default;
  auto operator<=>(const GroupVersionKind&) const = default;
};

// Which object: type, namespace (empty for cluster-scoped ones) and name.
struct ObjectRef
{
  std::string api_version;
  std::string kind;
  std::string namespace_;
  std::string name;

  static ObjectRef of(const nlohmann::json& object);
  GroupVersionKind gvk() const;
  // "Cluster capi/demo", or "Namespace capi" when cluster-scoped.
  std::string to_string() const;

  bool operator==(const ObjectRef&) const = default;
  auto operator<=>(const ObjectRef&) const = default;
};

// Small accessors that never throw: a missing or mistyped field gives "".
std::string string_at(const nlohmann::json& object, std::string_view json_pointer);
// Whether metadata.labels / metadata.annotations has the key.
bool has_label(const nlohmann::json& object, std::string_view key);
bool has_annotation(const nlohmann::json& object, std::string_view key);
// Whether metadata.managedFields has a server-side apply of field manager.
bool applied_by(const nlohmann::json& object, std::string_view manager);
// Whether a Node's Ready condition is True; otherwise why not ("no Ready
// condition", "Ready=False (reason: message)").
bool node_ready(const nlohmann::json& node, std::string& why);

} // namespace ocne::k8s
