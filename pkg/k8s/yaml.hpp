#pragma once

// YAML to JSON for Kubernetes manifests. Scalars are typed the way the
// Kubernetes tools end up treating them after YAML -> JSON (YAML 1.2 core
// schema): only true/false are booleans, unquoted numbers are numbers,
// null, ~ and empty are null; everything quoted stays a string. "yes", "on"
// and "0123"-like strings that YAML 1.1 would retype stay strings.

#include "pkg/core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ocne::k8s {

// Parses a multi-document YAML (or JSON) stream. Empty documents are skipped;
// a document of kind List is expanded into its items. Either every document
// parses or nothing is returned: the error names source, line and document
// ("capi.yaml:12: document 3: ...").
// Where each returned object came from.
struct ParsedDocument
{
  int index = 0;
  int line = 0;
  // Index of the item when it came from a List document, else -1.
  int item = -1;
};

Result<std::vector<nlohmann::json>> parse_yaml_stream(std::string_view text,
                                                      std::string_view source,
                                                      std::vector<ParsedDocument>* where = nullptr);

// Parses one YAML document into JSON (the whole text is one document).
Result<nlohmann::json> parse_yaml(std::string_view text, std::string_view source);

// Renders JSON as block-style YAML (for dry runs and kubeconfigs). Strings
// that would be retyped when read back are quoted.
std::string to_yaml(const nlohmann::json& value);

} // namespace ocne::k8s
