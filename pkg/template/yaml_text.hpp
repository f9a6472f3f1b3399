#pragma once

// Writing YAML text: how a string becomes a scalar that reads back as the
// same string, and how a JSON value becomes block or flow YAML. The renderer
// uses these for values; pkg/cluster_templates uses them (through
// Value::node) for lists and mappings. Output is meant to read the same
// under YAML 1.1 (go-yaml, which Kubernetes uses) and YAML 1.2, so words
// such as "yes", "on" and "~" and anything that starts like a number are
// quoted.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ocne::tmpl::yaml {

// Whether s is well-formed UTF-8.
bool valid_utf8(std::string_view s);

// Whether s can stand as a plain (unquoted) scalar without changing the
// structure around it: no ": " or " #", no leading indicator, no line
// breaks or control characters, no surrounding spaces; in flow context
// (inside [...] or {...}) also no ",[]{}".
bool plain_is_safe(std::string_view s, bool flow);

// Whether a plain scalar s reads back as a string, not as null, a boolean or
// a number (conservatively: anything starting like a number is "not").
bool plain_reads_as_string(std::string_view s);

// The content of a double-quoted scalar, without the quotes; every line
// break and control character is escaped, so it always fits on one line.
std::string escape_double(std::string_view s);
std::string double_quoted(std::string_view s);
// Whether s fits in single quotes (no line breaks or control characters).
bool single_quote_is_safe(std::string_view s);
std::string single_quoted(std::string_view s);

// A one-line scalar for the string s: plain when safe and read as a string,
// else quoted.
std::string string_scalar(std::string_view s, bool flow);

// Whether s (with at least one line break) can be a literal block scalar.
bool literal_block_is_safe(std::string_view s);
// "|", "|-" or "|+" (with an indentation indicator when the first line
// starts with a space) followed by the lines of s indented by indent.
std::vector<std::string> literal_block(std::string_view s, int indent);

// A value written after "key: " or "- ": one line, or a literal block header
// followed by its lines (indented by indent). Mappings and lists come out in
// flow style here only when empty; non-empty ones go through block_lines.
std::vector<std::string> inline_value(const nlohmann::ordered_json& value, int indent);

// The lines of a non-empty mapping or list in block style at indentation
// indent.
std::vector<std::string> block_lines(const nlohmann::ordered_json& value, int indent);

// A value in flow style on one line: {a: 1, b: [x, y]}.
std::string flow(const nlohmann::ordered_json& value);

// Whether value is a non-empty mapping or list (written in block style).
bool is_collection(const nlohmann::ordered_json& value);

} // namespace ocne::tmpl::yaml
