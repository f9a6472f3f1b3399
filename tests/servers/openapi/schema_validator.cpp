#include "tests/servers/openapi/schema_validator.hpp"

#include "tests/servers/openapi/formats.hpp"
#include "tests/servers/openapi/pattern.hpp"

#include <fmt/format.h>

namespace ocne::test::openapi {

namespace {

using json = nlohmann::json;

constexpr int k_max_depth = 96;

std::string
child(const std::string& where, const std::string& key)
{
  return where.empty() ? key : where + "." + key;
}

std::string
index_of(const std::string& where, std::size_t i)
{
  return fmt::format("{}[{}]", where, i);
}

bool
type_matches(const std::string& type, const json& value)
{
  if (type == "string") {
    return value.is_string();
  }
  if (type == "integer") {
    return value.is_number_integer();
  }
  if (type == "number") {
    return value.is_number();
  }
  if (type == "boolean") {
    return value.is_boolean();
  }
  if (type == "array") {
    return value.is_array();
  }
  if (type == "object") {
    return value.is_object();
  }
  if (type == "null") {
    return value.is_null();
  }
  return true; // unknown type names are not ours to reject
}

const char*
type_name(const json& value)
{
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "value";
  }
}

long double
as_number(const json& value)
{
  if (value.is_number_unsigned()) {
    return static_cast<long double>(value.get<std::uint64_t>());
  }
  if (value.is_number_integer()) {
    return static_cast<long double>(value.get<std::int64_t>());
  }
  return static_cast<long double>(value.get<double>());
}

// Whether a tagged-union variant's "type" tag (a one-value enum) differs from
// the value's tag: such a variant is a poor guess for "what was meant".
bool
tag_mismatch(const json& value, const json& variant)
{
  if (!value.is_object() || !variant.is_object()) {
    return false;
  }
  const auto props = variant.find("properties");
  if (props == variant.end() || !props->is_object()) {
    return false;
  }
  for (const auto& tag : { "type", "state", "kind" }) {
    const auto schema = props->find(tag);
    const auto actual = value.find(tag);
    if (schema == props->end() || actual == value.end() || !schema->is_object()) {
      continue;
    }
    if (auto values = schema->find("enum"); values != schema->end() && values->is_array() && values->size() == 1) {
      return (*values)[0] != *actual;
    }
  }
  return false;
}

std::size_t
utf8_length(const std::string& s)
{
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

} // namespace

std::string
brief(const json& value)
{
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 64) {
    text = text.substr(0, 60) + "...";
  }
  return text;
}

SchemaValidator::SchemaValidator(const json& root, ValidateOptions options) : m_root(root), m_options(options)
{
  // Index the component sections once so $ref lookups are a hash probe.
  if (auto comps = root.find("components"); comps != root.end() && comps->is_object()) {
    for (const auto& [section, entries] : comps->items()) {
      if (!entries.is_object()) {
        continue;
      }
      for (const auto& [name, schema] : entries.items()) {
        m_refs.emplace("#/components/" + section + "/" + name, &schema);
      }
    }
  }
}

const json*
SchemaValidator::resolve(const std::string& ref) const
{
  if (auto it = m_refs.find(ref); it != m_refs.end()) {
    return it->second;
  }
  if (ref.rfind("#/", 0) != 0) {
    return nullptr;
  }
  try {
    const json::json_pointer pointer(ref.substr(1));
    if (m_root.contains(pointer)) {
      return &m_root.at(pointer);
    }
  } catch (const json::exception&) {
  }
  return nullptr;
}

std::vector<std::string>
SchemaValidator::validate(const json& value, const json& schema, const std::string& where) const
{
  std::vector<std::string> errors;
  check(value, schema, where, 0, errors);
  return errors;
}

void
SchemaValidator::check(const json& value,
                       const json& schema,
                       const std::string& where,
                       int depth,
                       std::vector<std::string>& errors) const
{
  if (errors.size() >= m_options.max_errors) {
    return;
  }
  const std::string at = where.empty() ? "value" : where;
  if (depth > k_max_depth) {
    errors.push_back(at + ": schema nesting too deep (recursive $ref?)");
    return;
  }
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) {
      errors.push_back(at + ": no value is allowed here");
    }
    return;
  }
  if (!schema.is_object()) {
    return;
  }
  if (value.is_null() && schema.value("nullable", false)) {
    return;
  }
  if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
    const json* target = resolve(ref->get<std::string>());
    if (target == nullptr) {
      errors.push_back(at + ": unresolvable $ref " + ref->get<std::string>());
      return;
    }
    check(value, *target, where, depth + 1, errors);
    return;
  }

  if (auto type = schema.find("type"); type != schema.end() && type->is_string()) {
    if (!type_matches(type->get<std::string>(), value)) {
      errors.push_back(
        fmt::format("{}: expected {}, got {} {}", at, type->get<std::string>(), type_name(value), brief(value)));
      return;
    }
  }
  if (auto values = schema.find("enum"); values != schema.end() && values->is_array()) {
    bool found = false;
    for (const auto& candidate : *values) {
      found = found || candidate == value;
    }
    if (!found) {
      errors.push_back(fmt::format("{}: {} is not one of {}", at, brief(value), values->dump()));
      return;
    }
  }

  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (auto n = schema.find("minLength"); n != schema.end() && utf8_length(text) < n->get<std::size_t>()) {
      errors.push_back(fmt::format("{}: {} is shorter than {} characters", at, brief(value), n->get<std::size_t>()));
    }
    if (auto n = schema.find("maxLength"); n != schema.end() && utf8_length(text) > n->get<std::size_t>()) {
      errors.push_back(fmt::format("{}: {} is longer than {} characters", at, brief(value), n->get<std::size_t>()));
    }
    if (auto p = schema.find("pattern"); p != schema.end() && p->is_string()) {
      std::string why;
      if (!pattern_matches(p->get<std::string>(), text, &why)) {
        errors.push_back(fmt::format(
          "{}: {} does not match the pattern {}{}", at, brief(value), p->dump(), why.empty() ? "" : " (" + why + ")"));
      }
    }
    if (auto f = schema.find("format");
        f != schema.end() && f->is_string() && !string_format_ok(f->get<std::string>(), text)) {
      errors.push_back(fmt::format("{}: {} is not a valid {}", at, brief(value), f->get<std::string>()));
    }
  }

  if (value.is_number()) {
    const long double number = as_number(value);
    if (auto f = schema.find("format"); f != schema.end() && f->is_string() && value.is_number_integer()) {
      if (auto range = integer_format_range(f->get<std::string>());
          range && (number < range->min || number > range->max)) {
        errors.push_back(fmt::format("{}: {} is out of range for {}", at, brief(value), f->get<std::string>()));
      }
    }
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number()) {
      const bool exclusive = schema.value("exclusiveMinimum", false);
      if (number < as_number(*m) || (exclusive && number == as_number(*m))) {
        errors.push_back(fmt::format("{}: {} is less than the minimum {}", at, brief(value), m->dump()));
      }
    }
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number()) {
      const bool exclusive = schema.value("exclusiveMaximum", false);
      if (number > as_number(*m) || (exclusive && number == as_number(*m))) {
        errors.push_back(fmt::format("{}: {} is more than the maximum {}", at, brief(value), m->dump()));
      }
    }
  }

  if (value.is_array()) {
    if (auto n = schema.find("minItems"); n != schema.end() && value.size() < n->get<std::size_t>()) {
      errors.push_back(fmt::format("{}: {} items, at least {} required", at, value.size(), n->get<std::size_t>()));
    }
    if (auto n = schema.find("maxItems"); n != schema.end() && value.size() > n->get<std::size_t>()) {
      errors.push_back(fmt::format("{}: {} items, at most {} allowed", at, value.size(), n->get<std::size_t>()));
    }
    if (schema.value("uniqueItems", false)) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        for (std::size_t j = i + 1; j < value.size(); ++j) {
          if (value[i] == value[j]) {
            errors.push_back(fmt::format("{}: items {} and {} are equal but must be unique", at, i, j));
          }
        }
      }
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        check(value[i], *items, index_of(at, i), depth + 1, errors);
      }
    }
  }

  if (value.is_object()) {
    check_object(value, schema, at, depth, errors);
  }

  if (auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
    for (const auto& part : *all) {
      check(value, part, where, depth + 1, errors);
    }
  }
  if (auto any = schema.find("anyOf"); any != schema.end() && any->is_array()) {
    bool matched = false;
    for (const auto& part : *any) {
      std::vector<std::string> sub;
      check(value, part, where, depth + 1, sub);
      matched = matched || sub.empty();
    }
    if (!matched) {
      errors.push_back(fmt::format("{}: {} matches none of the anyOf alternatives", at, brief(value)));
    }
  }
  if (auto one = schema.find("oneOf"); one != schema.end() && one->is_array()) {
    check_one_of(value, *one, where, depth, errors);
  }
  if (auto no = schema.find("not"); no != schema.end()) {
    std::vector<std::string> sub;
    check(value, *no, where, depth + 1, sub);
    if (sub.empty()) {
      errors.push_back(fmt::format("{}: {} matches a schema it must not match", at, brief(value)));
    }
  }
}

void
SchemaValidator::check_object(const json& value,
                              const json& schema,
                              const std::string& at,
                              int depth,
                              std::vector<std::string>& errors) const
{
  if (auto required = schema.find("required"); required != schema.end() && required->is_array()) {
    for (const auto& name : *required) {
      if (name.is_string() && !value.contains(name.get<std::string>())) {
        errors.push_back(fmt::format("{}: missing required property \"{}\"", at, name.get<std::string>()));
      }
    }
  }
  const auto properties = schema.find("properties");
  const bool has_properties = properties != schema.end() && properties->is_object();
  const auto additional = schema.find("additionalProperties");
  for (const auto& [key, item] : value.items()) {
    if (has_properties) {
      if (auto p = properties->find(key); p != properties->end()) {
        check(item, *p, child(at, key), depth + 1, errors);
        continue;
      }
    }
    if (additional != schema.end()) {
      if (additional->is_boolean() && !additional->get<bool>()) {
        errors.push_back(fmt::format("{}: unknown property \"{}\"", at, key));
      } else if (additional->is_object()) {
        check(item, *additional, child(at, key), depth + 1, errors);
      }
    } else if (has_properties && m_options.strict_properties) {
      errors.push_back(fmt::format("{}: unknown property \"{}\"", at, key));
    }
  }
}

void
SchemaValidator::check_one_of(const json& value,
                              const json& variants,
                              const std::string& where,
                              int depth,
                              std::vector<std::string>& errors) const
{
  const std::string at = where.empty() ? "value" : where;
  std::vector<std::size_t> matched;
  std::vector<std::string> closest;
  std::size_t closest_index = 0;
  std::size_t closest_score = 0;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    std::vector<std::string> sub;
    check(value, variants[i], where, depth + 1, sub);
    if (sub.empty()) {
      matched.push_back(i);
      continue;
    }
    const std::size_t score = sub.size() + (tag_mismatch(value, variants[i]) ? 1000 : 0);
    if (closest.empty() || score < closest_score) {
      closest = std::move(sub);
      closest_index = i;
      closest_score = score;
    }
  }
  if (matched.size() == 1) {
    return;
  }
  if (matched.empty()) {
    std::string title;
    if (variants[closest_index].is_object() && variants[closest_index].contains("title")) {
      title = " \"" + variants[closest_index]["title"].get<std::string>() + "\"";
    }
    errors.push_back(fmt::format("{}: {} matches none of the {} oneOf variants; closest (variant {}{}): {}",
                                 at,
                                 brief(value),
                                 variants.size(),
                                 closest_index,
                                 title,
                                 closest.empty() ? "?" : closest.front()));
    return;
  }
  errors.push_back(
    fmt::format("{}: {} matches {} oneOf variants but must match exactly one", at, brief(value), matched.size()));
}

} // namespace ocne::test::openapi
