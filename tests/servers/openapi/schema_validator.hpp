#pragma once

// Validates JSON values against OpenAPI 3.0 schemas (the JSON Schema subset
// the Oxide spec uses): $ref, type, nullable, enum, properties, required,
// additionalProperties, items, min/maxItems, uniqueItems, min/maxLength,
// pattern, minimum/maximum, integer and string formats, allOf, anyOf, oneOf,
// not. `default`, `description`, `title` and `x-*` keys are ignored.

#include <nlohmann/json.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace ocne::test::openapi {

struct ValidateOptions
{
  // Reject object keys that a schema with `properties` does not declare
  // (when it says nothing about additionalProperties). Oxide's server ignores
  // unknown keys, but for our client a misspelt key is always a bug.
  bool strict_properties = true;
  // Stop collecting after this many errors.
  std::size_t max_errors = 20;
};

class SchemaValidator
{
public:
  // root is the whole OpenAPI document ($refs resolve against it); it must
  // outlive the validator.
  explicit SchemaValidator(const nlohmann::json& root, ValidateOptions options = {});

  // Each error is "<where>: <what>", for example
  // "body.disk_backend.disk_source.block_size: 1000 is not one of [512,2048,4096]".
  std::vector<std::string> validate(const nlohmann::json& value,
                                    const nlohmann::json& schema,
                                    const std::string& where) const;

  // The schema a "#/..." reference points at, or nullptr.
  const nlohmann::json* resolve(const std::string& ref) const;

  const ValidateOptions&
  options() const
  {
    return m_options;
  }

private:
  void check(const nlohmann::json& value,
             const nlohmann::json& schema,
             const std::string& where,
             int depth,
             std::vector<std::string>& errors) const;
  void check_object(const nlohmann::json& value,
                    const nlohmann::json& schema,
                    const std::string& where,
                    int depth,
                    std::vector<std::string>& errors) const;
  void check_one_of(const nlohmann::json& value,
                    const nlohmann::json& variants,
                    const std::string& where,
                    int depth,
                    std::vector<std::string>& errors) const;

  const nlohmann::json& m_root;
  ValidateOptions m_options;
  std::unordered_map<std::string, const nlohmann::json*> m_refs;
};

// A short rendering of a value for messages (long strings are cut).
std::string brief(const nlohmann::json& value);

} // namespace ocne::test::openapi
