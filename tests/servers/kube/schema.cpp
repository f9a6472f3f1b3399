#include "tests/servers/kube/schema.hpp"

#include "tests/servers/kube/cel.hpp"

#include <cmath>
#include <stdexcept>

namespace ocne::test::kube {

namespace {

std::shared_ptr<Schema>
compile_node(const Json& j, const std::string& where)
{
  auto s = std::make_shared<Schema>();
  if (!j.is_object()) {
    throw std::invalid_argument(where + ": a schema must be an object");
  }
  for (const auto& [key, v] : j.items()) {
    if (key == "type") {
      if (!v.is_string()) {
        throw std::invalid_argument(where + ".type: must be a string");
      }
      s->type = v.get<std::string>();
    } else if (key == "format" && v.is_string()) {
      s->format = v.get<std::string>();
    } else if (key == "nullable" && v.is_boolean()) {
      s->nullable = v.get<bool>();
    } else if (key == "x-kubernetes-preserve-unknown-fields" && v.is_boolean()) {
      s->preserve_unknown = v.get<bool>();
    } else if (key == "x-kubernetes-int-or-string" && v.is_boolean()) {
      s->int_or_string = v.get<bool>();
    } else if (key == "x-kubernetes-embedded-resource" && v.is_boolean()) {
      s->embedded_resource = v.get<bool>();
    } else if (key == "properties" && v.is_object()) {
      for (const auto& [name, sub] : v.items()) {
        s->properties[name] = compile_node(sub, where + ".properties." + name);
      }
    } else if (key == "additionalProperties") {
      if (v.is_boolean()) {
        s->additional_properties_any = v.get<bool>();
      } else {
        s->additional_properties = compile_node(v, where + ".additionalProperties");
      }
    } else if (key == "items" && v.is_object()) {
      s->items = compile_node(v, where + ".items");
    } else if (key == "required" && v.is_array()) {
      for (const auto& r : v) {
        if (r.is_string()) {
          s->required.push_back(r.get<std::string>());
        }
      }
    } else if (key == "enum" && v.is_array()) {
      s->enum_values = v;
    } else if (key == "default") {
      s->default_value = v;
    } else if (key == "minimum" && v.is_number()) {
      s->minimum = v.get<double>();
    } else if (key == "maximum" && v.is_number()) {
      s->maximum = v.get<double>();
    } else if (key == "multipleOf" && v.is_number()) {
      s->multiple_of = v.get<double>();
    } else if (key == "exclusiveMinimum" && v.is_boolean()) {
      s->exclusive_minimum = v.get<bool>();
    } else if (key == "exclusiveMaximum" && v.is_boolean()) {
      s->exclusive_maximum = v.get<bool>();
    } else if (key == "minLength" && v.is_number_integer()) {
      s->min_length = v.get<long long>();
    } else if (key == "maxLength" && v.is_number_integer()) {
      s->max_length = v.get<long long>();
    } else if (key == "minItems" && v.is_number_integer()) {
      s->min_items = v.get<long long>();
    } else if (key == "maxItems" && v.is_number_integer()) {
      s->max_items = v.get<long long>();
    } else if (key == "minProperties" && v.is_number_integer()) {
      s->min_properties = v.get<long long>();
    } else if (key == "maxProperties" && v.is_number_integer()) {
      s->max_properties = v.get<long long>();
    } else if (key == "pattern" && v.is_string()) {
      s->pattern = v.get<std::string>();
    } else if ((key == "allOf" || key == "anyOf" || key == "oneOf") && v.is_array()) {
      auto& list = key == "allOf" ? s->all_of : key == "anyOf" ? s->any_of : s->one_of;
      for (std::size_t i = 0; i < v.size(); ++i) {
        list.push_back(compile_node(v[i], where + "." + key + "[" + std::to_string(i) + "]"));
      }
    } else if (key == "not" && v.is_object()) {
      s->not_schema = compile_node(v, where + ".not");
    } else if (key == "x-kubernetes-list-type" && v.is_string()) {
      s->list_type = v.get<std::string>();
    } else if (key == "x-kubernetes-list-map-keys" && v.is_array()) {
      for (const auto& k : v) {
        if (k.is_string()) {
          s->list_map_keys.push_back(k.get<std::string>());
        }
      }
    } else if (key == "x-kubernetes-map-type" && v.is_string()) {
      s->map_type = v.get<std::string>();
    } else if (key == "x-kubernetes-validations" && v.is_array()) {
      for (const auto& r : v) {
        ValidationRule rule;
        rule.rule = string_at(r, "rule");
        rule.message = string_at(r, "message");
        rule.field_path = string_at(r, "fieldPath");
        auto compiled = cel::compile(rule.rule);
        rule.program = std::move(compiled.program);
        rule.unsupported = std::move(compiled.error);
        if (rule.program && rule.message.empty() && !string_at(r, "messageExpression").empty()) {
          rule.unsupported = "messageExpression is not supported (the rule is enforced with a generic message)";
        }
        if (rule.program && !rule.field_path.empty() && rule.field_path.find_first_of("[]") != std::string::npos) {
          rule.program.reset();
          rule.unsupported = "fieldPath with an index is not supported";
        }
        s->validations.push_back(std::move(rule));
      }
    }
  }
  return s;
}

std::string
json_type_name(const Json& v)
{
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    default:
      return "unknown";
  }
}

bool
is_integral(const Json& v)
{
  if (v.is_number_integer()) {
    return true;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

bool
type_matches(const Json& v, const std::string& type)
{
  if (type == "object") {
    return v.is_object();
  }
  if (type == "array") {
    return v.is_array();
  }
  if (type == "string") {
    return v.is_string();
  }
  if (type == "integer") {
    return is_integral(v);
  }
  if (type == "number") {
    return v.is_number();
  }
  if (type == "boolean") {
    return v.is_boolean();
  }
  return true;
}

std::size_t
utf8_length(const std::string& s)
{
  std::size_t n = 0;
  for (const unsigned char c : s) {
    n += (c & 0xc0) != 0x80 ? 1 : 0;
  }
  return n;
}

// "<path> in body ..." the way go-openapi names the field.
std::string
in_body(const std::string& path)
{
  return (path.empty() ? std::string() : path + " ") + "in body";
}

bool
valid_rfc3339(const std::string& s)
{
  static const std::regex re(R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return std::regex_match(s, re);
}

bool
check_format(const Json& v, const std::string& format)
{
  if (format == "byte" && v.is_string()) {
    return base64_decode(v.get<std::string>()).has_value();
  }
  if (format == "date-time" && v.is_string()) {
    return valid_rfc3339(v.get<std::string>());
  }
  if (format == "int32" && v.is_number_integer()) {
    const auto n = v.get<long long>();
    return n >= INT32_MIN && n <= INT32_MAX;
  }
  return true;
}

std::string
join(const std::string& path, const std::string& key)
{
  return path.empty() ? key : path + "." + key;
}

} // namespace

const Schema*
Schema::child(const std::string& key) const
{
  if (const auto it = properties.find(key); it != properties.end()) {
    return it->second.get();
  }
  if (additional_properties) {
    return additional_properties.get();
  }
  return nullptr;
}

bool
Schema::keeps_unknown() const
{
  return preserve_unknown || additional_properties_any || additional_properties != nullptr;
}

bool
Schema::is_atomic_list() const
{
  return list_type.empty() || list_type == "atomic";
}

bool
Schema::is_atomic_map() const
{
  return map_type == "atomic";
}

const std::regex*
Schema::regex() const
{
  std::call_once(m_regex_once, [this] {
    if (!pattern) {
      return;
    }
    try {
      m_regex = std::make_unique<std::regex>(*pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      m_regex.reset(); // RE2 syntax std::regex does not know: not checked
    }
  });
  return m_regex.get();
}

std::shared_ptr<Schema>
compile_schema(const Json& openapi)
{
  return compile_node(openapi, "openAPIV3Schema");
}

namespace {

// The fields of metav1.ObjectMeta, which embedded resources keep.
bool
is_object_meta_field(const std::string& key)
{
  static const char* const k_fields[] = { "name",
                                          "generateName",
                                          "namespace",
                                          "selfLink",
                                          "uid",
                                          "resourceVersion",
                                          "generation",
                                          "creationTimestamp",
                                          "deletionTimestamp",
                                          "deletionGracePeriodSeconds",
                                          "labels",
                                          "annotations",
                                          "ownerReferences",
                                          "finalizers",
                                          "managedFields" };
  for (const char* f : k_fields) {
    if (key == f) {
      return true;
    }
  }
  return false;
}

void
prune_node(Json& value, const Schema& schema, const std::string& path, std::vector<std::string>* unknown, bool top)
{
  if (value.is_object()) {
    const bool embedded = schema.embedded_resource || top;
    std::vector<std::string> drop;
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string& key = it.key();
      const std::string child_path = join(path, key);
      if (embedded && (key == "apiVersion" || key == "kind")) {
        continue;
      }
      if (embedded && key == "metadata") {
        if (top) {
          continue; // handled with ObjectMeta rules by the caller
        }
        if (it->is_object()) {
          std::vector<std::string> meta_drop;
          for (auto m = it->begin(); m != it->end(); ++m) {
            if (!is_object_meta_field(m.key())) {
              meta_drop.push_back(m.key());
            }
          }
          for (const auto& k : meta_drop) {
            if (unknown != nullptr) {
              unknown->push_back(join(child_path, k));
            }
            it->erase(k);
          }
        }
        continue;
      }
      const Schema* sub = nullptr;
      if (const auto p = schema.properties.find(key); p != schema.properties.end()) {
        sub = p->second.get();
      } else if (schema.additional_properties) {
        sub = schema.additional_properties.get();
      }
      if (sub == nullptr) {
        if (!schema.keeps_unknown()) {
          drop.push_back(key);
          if (unknown != nullptr) {
            unknown->push_back(child_path);
          }
        }
        continue;
      }
      if (it->is_null() && !sub->nullable) {
        drop.push_back(key);
        continue;
      }
      prune_node(*it, *sub, child_path, unknown, false);
    }
    for (const auto& k : drop) {
      value.erase(k);
    }
  } else if (value.is_array() && schema.items) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      prune_node(value[i], *schema.items, path + "[" + std::to_string(i) + "]", unknown, false);
    }
  }
}

} // namespace

void
prune(Json& value, const Schema& schema, std::vector<std::string>* unknown, bool top_level)
{
  prune_node(value, schema, "", unknown, top_level);
}

void
apply_defaults(Json& value, const Schema& schema)
{
  if (value.is_object()) {
    for (const auto& [key, sub] : schema.properties) {
      auto it = value.find(key);
      if (it == value.end()) {
        if (sub->default_value) {
          value[key] = *sub->default_value;
          apply_defaults(value[key], *sub);
        }
        continue;
      }
      apply_defaults(*it, *sub);
    }
    if (schema.additional_properties) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (schema.properties.count(it.key()) == 0) {
          apply_defaults(*it, *schema.additional_properties);
        }
      }
    }
  } else if (value.is_array() && schema.items) {
    for (auto& item : value) {
      apply_defaults(item, *schema.items);
    }
  }
}

namespace {

void
collect_unchecked(const Schema& s, const std::string& path, std::vector<UncheckedRule>& out)
{
  if (s.pattern && s.regex() == nullptr) {
    out.push_back({ path, "pattern: " + *s.pattern, "std::regex cannot compile it (RE2 syntax)" });
  }
  for (const auto& v : s.validations) {
    if (!v.unsupported.empty()) {
      out.push_back({ path, v.rule, v.unsupported });
    }
  }
  for (const auto& [name, p] : s.properties) {
    collect_unchecked(*p, path + "." + name, out);
  }
  if (s.additional_properties) {
    collect_unchecked(*s.additional_properties, path + "[*]", out);
  }
  if (s.items) {
    collect_unchecked(*s.items, path + "[*]", out);
  }
  for (const auto* list : { &s.all_of, &s.any_of, &s.one_of }) {
    for (const auto& sub : *list) {
      collect_unchecked(*sub, path, out);
    }
  }
  if (s.not_schema) {
    collect_unchecked(*s.not_schema, path, out);
  }
}

} // namespace

std::vector<UncheckedRule>
unchecked_rules(const Schema& root)
{
  std::vector<UncheckedRule> out;
  collect_unchecked(root, "", out);
  return out;
}

namespace {

void
add(std::vector<FieldError>& errors,
    FieldError::Type type,
    const std::string& path,
    const Json* value,
    const std::string& detail)
{
  errors.push_back(FieldError::make(type, path, value, detail));
}

bool
validates(const Json& value, const Schema& schema, const std::string& path)
{
  std::vector<FieldError> errs;
  validate(value, schema, path, errs);
  return errs.empty();
}

} // namespace

void
validate(const Json& value, const Schema& schema, const std::string& path, std::vector<FieldError>& errors)
{
  if (value.is_null() && schema.nullable) {
    return;
  }
  // Type.
  if (schema.int_or_string) {
    if (!is_integral(value) && !value.is_string()) {
      const Json actual = json_type_name(value);
      add(errors,
          FieldError::Type::type_invalid,
          path,
          &actual,
          in_body(path) + " must be of type integer,string: " + go_quote(actual.get<std::string>()));
      return;
    }
  } else if (!schema.type.empty() && !type_matches(value, schema.type)) {
    const Json actual = json_type_name(value);
    add(errors,
        FieldError::Type::type_invalid,
        path,
        &actual,
        in_body(path) + " must be of type " + schema.type + ": " + go_quote(actual.get<std::string>()));
    return;
  }
  if (!schema.format.empty() && !check_format(value, schema.format)) {
    add(errors,
        FieldError::Type::invalid,
        path,
        &value,
        in_body(path) + " must be of type " + schema.format + ": " + go_quote(go_value(value)));
  }
  if (schema.enum_values) {
    bool found = false;
    for (const auto& e : *schema.enum_values) {
      found = found || e == value;
    }
    if (!found) {
      std::string detail = "supported values: ";
      for (std::size_t i = 0; i < schema.enum_values->size(); ++i) {
        const auto& e = (*schema.enum_values)[i];
        detail += (i == 0 ? "" : ", ") + go_quote(e.is_string() ? e.get<std::string>() : e.dump());
      }
      add(errors, FieldError::Type::not_supported, path, &value, detail);
    }
  }
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    const auto len = static_cast<long long>(utf8_length(s));
    if (schema.max_length && len > *schema.max_length) {
      add(errors,
          FieldError::Type::too_long,
          path,
          &value,
          "may not be longer than " + std::to_string(*schema.max_length));
    }
    if (schema.min_length && len < *schema.min_length) {
      add(errors,
          FieldError::Type::invalid,
          path,
          &value,
          in_body(path) + " should be at least " + std::to_string(*schema.min_length) + " chars long");
    }
    if (schema.pattern) {
      if (const std::regex* re = schema.regex(); re != nullptr && !std::regex_search(s, *re)) {
        add(errors, FieldError::Type::invalid, path, &value, in_body(path) + " should match '" + *schema.pattern + "'");
      }
    }
  }
  if (value.is_number()) {
    const double d = value.get<double>();
    if (schema.minimum) {
      const bool bad = schema.exclusive_minimum ? d <= *schema.minimum : d < *schema.minimum;
      if (bad) {
        add(errors,
            FieldError::Type::invalid,
            path,
            &value,
            in_body(path) +
              (schema.exclusive_minimum ? " should be greater than " : " should be greater than or equal to ") +
              go_value(Json(*schema.minimum)));
      }
    }
    if (schema.maximum) {
      const bool bad = schema.exclusive_maximum ? d >= *schema.maximum : d > *schema.maximum;
      if (bad) {
        add(errors,
            FieldError::Type::invalid,
            path,
            &value,
            in_body(path) + (schema.exclusive_maximum ? " should be less than " : " should be less than or equal to ") +
              go_value(Json(*schema.maximum)));
      }
    }
    if (schema.multiple_of && *schema.multiple_of != 0) {
      const double q = d / *schema.multiple_of;
      if (std::fabs(q - std::round(q)) > 1e-9) {
        add(errors,
            FieldError::Type::invalid,
            path,
            &value,
            in_body(path) + " should be a multiple of " + go_value(Json(*schema.multiple_of)));
      }
    }
  }
  if (value.is_array()) {
    const auto n = static_cast<long long>(value.size());
    if (schema.max_items && n > *schema.max_items) {
      const Json count = n;
      add(errors,
          FieldError::Type::too_many,
          path,
          &count,
          "must have at most " + std::to_string(*schema.max_items) + " items");
    }
    if (schema.min_items && n < *schema.min_items) {
      const Json count = n;
      add(errors,
          FieldError::Type::invalid,
          path,
          &count,
          in_body(path) + " should have at least " + std::to_string(*schema.min_items) + " items");
    }
    if (schema.items) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        validate(value[i], *schema.items, path + "[" + std::to_string(i) + "]", errors);
      }
    }
    // Keys of a map list and members of a set must be unique.
    if (schema.list_type == "map" && !schema.list_map_keys.empty()) {
      std::vector<Json> seen;
      for (std::size_t i = 0; i < value.size(); ++i) {
        Json key = Json::object();
        for (const auto& k : schema.list_map_keys) {
          if (const Json* kv = child(value[i], k)) {
            key[k] = *kv;
          }
        }
        for (const auto& s : seen) {
          if (s == key) {
            add(errors, FieldError::Type::duplicate, path + "[" + std::to_string(i) + "]", &key, "");
          }
        }
        seen.push_back(std::move(key));
      }
    } else if (schema.list_type == "set") {
      for (std::size_t i = 0; i < value.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (value[i] == value[j]) {
            add(errors, FieldError::Type::duplicate, path + "[" + std::to_string(i) + "]", &value[i], "");
            break;
          }
        }
      }
    }
  }
  if (value.is_object()) {
    for (const auto& r : schema.required) {
      if (value.find(r) == value.end()) {
        add(errors, FieldError::Type::required, join(path, r), nullptr, "");
      }
    }
    const auto n = static_cast<long long>(value.size());
    if (schema.max_properties && n > *schema.max_properties) {
      const Json count = n;
      add(errors,
          FieldError::Type::too_many,
          path,
          &count,
          "must have at most " + std::to_string(*schema.max_properties) + " items");
    }
    if (schema.min_properties && n < *schema.min_properties) {
      const Json count = n;
      add(errors,
          FieldError::Type::invalid,
          path,
          &count,
          in_body(path) + " should have at least " + std::to_string(*schema.min_properties) + " properties");
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string& key = it.key();
      if (const auto p = schema.properties.find(key); p != schema.properties.end()) {
        validate(*it, *p->second, join(path, key), errors);
      } else if (schema.additional_properties) {
        validate(*it, *schema.additional_properties, join(path, key), errors);
      }
    }
    if (schema.embedded_resource) {
      for (const char* k : { "apiVersion", "kind" }) {
        const Json* v = child(value, k);
        if (v == nullptr || !v->is_string() || v->get<std::string>().empty()) {
          add(errors, FieldError::Type::required, join(path, k), nullptr, "must not be empty");
        }
      }
    }
  }
  // Value validations that combine schemas.
  for (const auto& sub : schema.all_of) {
    validate(value, *sub, path, errors);
  }
  if (!schema.any_of.empty()) {
    bool any = false;
    for (const auto& sub : schema.any_of) {
      any = any || validates(value, *sub, path);
    }
    if (!any) {
      add(
        errors, FieldError::Type::invalid, path, &value, in_body(path) + " must validate at least one schema (anyOf)");
    }
  }
  if (!schema.one_of.empty()) {
    int matches = 0;
    for (const auto& sub : schema.one_of) {
      matches += validates(value, *sub, path) ? 1 : 0;
    }
    if (matches != 1) {
      add(errors,
          FieldError::Type::invalid,
          path,
          &value,
          in_body(path) + " must validate one and only one schema (oneOf)");
    }
  }
  if (schema.not_schema && validates(value, *schema.not_schema, path)) {
    add(errors, FieldError::Type::invalid, path, &value, in_body(path) + " shouldn't validate the schema (not)");
  }
  // CEL rules, as kube-apiserver reports them: "<path>: Invalid value:
  // \"<schema type>\": <message>" (or "failed rule: <rule>").
  for (const auto& v : schema.validations) {
    if (!v.program) {
      continue; // reported by unchecked_rules() when the CRD loads
    }
    std::string detail;
    try {
      if (!v.program->holds(value)) {
        detail = v.message.empty() ? "failed rule: " + v.rule : v.message;
      }
    } catch (const std::runtime_error& e) {
      detail = std::string(e.what()) + " evaluating rule: " + v.rule;
    }
    if (!detail.empty()) {
      const Json type = schema.type.empty() ? "object" : schema.type;
      const auto& fp = v.field_path;
      const std::string at = fp.empty() ? path : join(path, fp[0] == '.' ? fp.substr(1) : fp);
      add(errors, FieldError::Type::invalid, at, &type, detail);
    }
  }
}

} // namespace ocne::test::kube
