#pragma once

// What a template variable holds. Three kinds, because a value's kind decides
// how it is written into YAML:
//  - text: a clusterctl-style value. YAML decides its type where it lands
//    (`replicas: ${N}` with "3" stays a number), but the renderer still quotes
//    it when it would change the document's structure (": ", "#", newlines).
//  - string: always a YAML string. "1.33", "true" or "0600" are quoted where
//    they would otherwise read as numbers or booleans.
//  - node: a YAML node built in C++ (mapping, list or scalar, as JSON). It is
//    emitted as YAML at the indentation of the place it lands, which is how
//    templates get lists without string pasting.
//  - omit: no value, and the key or list item it is the value of is left
//    out ("ipPool: $${OXIDE_IP_POOL}" disappears), which is how templates get
//    optional settings. ${VAR:=default} and ${VAR=default} treat it as unset.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace ocne::tmpl {

class Value
{
public:
  enum class Kind { text, string, node, omit };

  static Value text(std::string value);
  static Value string(std::string value);
  static Value node(const nlohmann::ordered_json& node);
  static Value integer(std::int64_t value);
  static Value boolean(bool value);
  static Value omit();

  Kind
  kind() const
  {
    return m_kind;
  }
  // The text of a text or string value.
  const std::string&
  str() const
  {
    return m_text;
  }
  // The node of a node value (nullptr for the other kinds).
  const nlohmann::ordered_json*
  json() const
  {
    return m_node.get();
  }

private:
  Value(Kind kind, std::string text, std::shared_ptr<const nlohmann::ordered_json> node);
  Kind m_kind;
  std::string m_text;
  std::shared_ptr<const nlohmann::ordered_json> m_node;
};

// Variable name -> value. A name that is absent is "unset"; a text or string
// value that is empty is "set but empty" (which ${VAR:=default} replaces and
// ${VAR=default} keeps, as in the shell and clusterctl).
class Variables
{
public:
  void set(std::string name, Value value);
  void unset(std::string_view name);
  const Value* find(std::string_view name) const;
  bool
  empty() const
  {
    return m_values.empty();
  }
  const std::map<std::string, Value, std::less<>>&
  all() const
  {
    return m_values;
  }

private:
  std::map<std::string, Value, std::less<>> m_values;
};

} // namespace ocne::tmpl
