#pragma once

// clusterctl's variable syntax: ${VAR}, ${VAR:=default}, ${VAR:-default}
// (default when unset or empty), ${VAR=default}, ${VAR-default} (default
// when unset), "$$" for a literal "$". Defaults are template text and may
// hold references themselves. Spaces inside the braces (${ VAR }) are
// accepted, as clusterctl does for older templates.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::tmpl {

struct Reference;

// A piece of template text: literal text, or a reference when ref is set.
struct Piece
{
  std::string literal;
  std::shared_ptr<const Reference> ref;
};

struct Reference
{
  enum class Op {
    none,
    default_if_empty, // ":=" and ":-": default when unset or empty
    default_if_unset, // "=" and "-": default only when unset
  };
  std::string name;
  Op op = Op::none;
  std::string source;          // as written, e.g. "${A:=b}"
  std::vector<Piece> fallback; // the default, parsed
  std::string fallback_text;   // the default as written
  int line = 0;                // 1-based
  int column = 0;              // 1-based, of the "$"
};

struct SyntaxError
{
  int line = 0;
  std::string message;
};

struct ParsedTemplate
{
  std::vector<Piece> pieces;
  std::vector<SyntaxError> errors;
};

ParsedTemplate parse_references(std::string_view text);

// A variable a template uses: required when some use of it has no default.
struct VariableInfo
{
  std::string name;
  bool required = false;
  bool has_default = false;
  std::string default_text; // of the first use with a default, as written
  std::vector<int> lines;   // every line that uses it
};

// Every variable, sorted by name (references inside defaults included).
std::vector<VariableInfo> list_variables(const ParsedTemplate& parsed);

} // namespace ocne::tmpl
