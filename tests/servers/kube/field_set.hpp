#pragma once

// Sets of field paths the way server-side apply tracks ownership
// (sigs.k8s.io/structured-merge-diff): a trie keyed by the path elements of
// the fieldsV1 format ("f:spec", "k:{\"name\":\"a\"}", "v:\"x\"", "i:0"),
// plus the typed walks over objects that build, compare, merge and prune
// them using the schema's list and map types.

#include "tests/servers/kube/json_util.hpp"
#include "tests/servers/kube/schema.hpp"

#include <map>
#include <string>
#include <vector>

namespace ocne::test::kube {

class FieldSet
{
public:
  bool member = false; // this path itself is in the set
  std::map<std::string, FieldSet> children;

  bool empty() const;
  void insert(const std::vector<std::string>& path);
  bool has(const std::vector<std::string>& path) const;
  // The node at path, or null.
  const FieldSet* find(const std::vector<std::string>& path) const;

  FieldSet united(const FieldSet& other) const;
  FieldSet minus(const FieldSet& other) const;
  FieldSet intersected(const FieldSet& other) const;

  // fieldsV1 JSON and back. from_fields_v1 throws std::invalid_argument.
  Json to_fields_v1() const;
  static FieldSet from_fields_v1(const Json& fields);

  // Every member path in structured-merge-diff's text form
  // (".spec.replicas", ".spec.containers[name=\"a\"].image"), sorted.
  std::vector<std::string> paths() const;

  bool operator==(const FieldSet&) const = default;
};

// ".spec" for "f:spec", "[name=\"a\"]" for "k:{\"name\":\"a\"}", ...
std::string path_element_text(const std::string& element);

// The fields set in value (structured-merge-diff's ToFieldSet): leaves,
// atomic lists and maps, members of sets and maps lists, map entries.
FieldSet to_field_set(const Json& value, const Schema* schema);

struct Comparison
{
  FieldSet added, modified, removed;
};
// What changed from old_value to new_value.
Comparison compare(const Json& old_value, const Json& new_value, const Schema* schema);

// Server-side apply's merge of an applied configuration into the live object.
Json merge(const Json& live, const Json& config, const Schema* schema);

// Removes the members of set (and what is below them) from value.
void remove_items(Json& value, const FieldSet& set, const Schema* schema);

} // namespace ocne::test::kube
