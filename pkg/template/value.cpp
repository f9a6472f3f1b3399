#include "pkg/template/value.hpp"

#include <nlohmann/json.hpp>

namespace ocne::tmpl {

Value::Value(Kind kind, std::string text, std::shared_ptr<const nlohmann::ordered_json> node)
  : m_kind(kind), m_text(std::move(text)), m_node(std::move(node))
{
}

Value
Value::text(std::string value)
{
  return Value(Kind::text, std::move(value), nullptr);
}

Value
Value::string(std::string value)
{
  return Value(Kind::string, std::move(value), nullptr);
}

Value
Value::node(const nlohmann::ordered_json& node)
{
  return Value(Kind::node, {}, std::make_shared<const nlohmann::ordered_json>(node));
}

Value
Value::integer(std::int64_t value)
{
  return node(nlohmann::ordered_json(value));
}

Value
Value::boolean(bool value)
{
  return node(nlohmann::ordered_json(value));
}

Value
Value::omit()
{
  return Value(Kind::omit, {}, nullptr);
}

void
Variables::set(std::string name, Value value)
{
  m_values.insert_or_assign(std::move(name), std::move(value));
}

void
Variables::unset(std::string_view name)
{
  if (auto it = m_values.find(name); it != m_values.end()) {
    m_values.erase(it);
  }
}

const Value*
Variables::find(std::string_view name) const
{
  const auto it = m_values.find(name);
  return it == m_values.end() ? nullptr : &it->second;
}

} // namespace ocne::tmpl
