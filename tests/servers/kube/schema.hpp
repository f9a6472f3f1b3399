#pragma once

// Structural OpenAPI v3 schemas as CustomResourceDefinitions use them:
// pruning of unknown fields, defaulting, and validation with the messages
// kube-apiserver gives. The same schemas carry the list and map types
// server-side apply needs (x-kubernetes-list-type, -list-map-keys, -map-type).

#include "tests/servers/kube/api_error.hpp"
#include "tests/servers/kube/json_util.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace ocne::test::kube {

namespace cel {
class Program;
}

// One x-kubernetes-validations entry.
struct ValidationRule
{
  std::string rule;
  std::string message;    // "" when the rule has none (or only a messageExpression)
  std::string field_path; // fieldPath: where a failure is reported, below the rule's node
  std::shared_ptr<const cel::Program> program;
  std::string unsupported; // why it is not enforced (program is null)
};

// A check the server cannot make: a CEL rule its evaluator does not support,
// or a pattern std::regex cannot compile. path is like ".spec.taints[*].key".
struct UncheckedRule
{
  std::string path;
  std::string what; // the CEL rule, or "pattern: <pattern>"
  std::string why;
};

struct Schema
{
  std::string type; // "", object, array, string, integer, number, boolean
  std::string format;
  bool nullable = false;
  bool preserve_unknown = false;
  bool int_or_string = false;
  bool embedded_resource = false;
  std::map<std::string, std::shared_ptr<Schema>> properties;
  std::shared_ptr<Schema> additional_properties; // schema for map values
  bool additional_properties_any = false;        // additionalProperties: true
  std::shared_ptr<Schema> items;
  std::vector<std::string> required;
  std::optional<Json> enum_values;
  std::optional<Json> default_value;
  std::optional<double> minimum, maximum, multiple_of;
  bool exclusive_minimum = false, exclusive_maximum = false;
  std::optional<long long> min_length, max_length, min_items, max_items, min_properties, max_properties;
  std::optional<std::string> pattern;
  std::vector<std::shared_ptr<Schema>> all_of, any_of, one_of;
  std::shared_ptr<Schema> not_schema;
  // For field management.
  std::string list_type; // "", atomic, set, map
  std::vector<std::string> list_map_keys;
  std::string map_type; // "", granular, atomic
  std::vector<ValidationRule> validations;

  // The schema of a property or map value, or null when unknown.
  const Schema* child(const std::string& key) const;
  // True when unknown fields below this node are kept.
  bool keeps_unknown() const;
  bool is_atomic_list() const;
  bool is_atomic_map() const;

  // The compiled pattern, or null when it does not compile in std::regex.
  const std::regex* regex() const;

private:
  mutable std::once_flag m_regex_once;
  mutable std::unique_ptr<std::regex> m_regex;
};

using SchemaPtr = std::shared_ptr<const Schema>;

// Compiles an openAPIV3Schema. Throws std::invalid_argument for what is not
// a schema (a type that is not a string, ...).
std::shared_ptr<Schema> compile_schema(const Json& openapi);

// Every rule below root that validate() does not enforce, in schema order.
std::vector<UncheckedRule> unchecked_rules(const Schema& root);

// Removes fields the schema does not know (recording their paths, like
// "spec.foo", in unknown when given) and nulls of fields that are not
// nullable. Does not look into metadata at the top level.
void prune(Json& value, const Schema& schema, std::vector<std::string>* unknown, bool top_level = true);

// Fills in defaults of absent fields.
void apply_defaults(Json& value, const Schema& schema);

// Validates value; appends one FieldError per failure.
void validate(const Json& value, const Schema& schema, const std::string& path, std::vector<FieldError>& errors);

} // namespace ocne::test::kube
