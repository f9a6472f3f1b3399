#include "tests/servers/kube/object_meta.hpp"

#include <cctype>

namespace ocne::test::kube {

namespace {

bool
is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
is_alnum(char c)
{
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool
label_part_ok(std::string_view s)
{
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) {
    return false;
  }
  for (char c : s) {
    if (!is_lower_alnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool
name_part_ok(std::string_view s)
{
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) {
    return false;
  }
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

const char* const k_subdomain_msg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
  "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* const k_label_msg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
  "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* const k_name_part_msg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char* const k_label_value_msg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
  "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
  "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

std::string
join_messages(const std::vector<std::string>& msgs)
{
  std::string out;
  for (const auto& m : msgs) {
    out += (out.empty() ? "" : "; ") + m;
  }
  return out;
}

void
add_invalid(std::vector<FieldError>& errors, const std::string& field, const Json& value, const std::string& detail)
{
  errors.push_back(FieldError::make(FieldError::Type::invalid, field, &value, detail));
}

} // namespace

bool
is_dns1123_label(const std::string& s)
{
  return s.size() <= 63 && label_part_ok(s);
}

bool
is_dns1123_subdomain(const std::string& s)
{
  if (s.empty() || s.size() > 253) {
    return false;
  }
  std::string_view rest = s;
  while (true) {
    const auto dot = rest.find('.');
    if (!label_part_ok(rest.substr(0, dot))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    rest.remove_prefix(dot + 1);
  }
}

std::vector<std::string>
dns1123_subdomain_errors(const std::string& s)
{
  std::vector<std::string> out;
  if (s.size() > 253) {
    out.emplace_back("must be no more than 253 characters");
  }
  std::string_view rest = s;
  bool ok = !s.empty();
  while (ok) {
    const auto dot = rest.find('.');
    ok = label_part_ok(rest.substr(0, dot));
    if (dot == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(dot + 1);
  }
  if (!ok) {
    out.emplace_back(k_subdomain_msg);
  }
  return out;
}

std::vector<std::string>
dns1123_label_errors(const std::string& s)
{
  std::vector<std::string> out;
  if (s.size() > 63) {
    out.emplace_back("must be no more than 63 characters");
  }
  if (!label_part_ok(s)) {
    out.emplace_back(k_label_msg);
  }
  return out;
}

std::vector<std::string>
qualified_name_errors(const std::string& s)
{
  std::vector<std::string> out;
  std::string_view name = s;
  const auto slash = s.find('/');
  if (slash != std::string::npos) {
    if (s.find('/', slash + 1) != std::string::npos) {
      out.emplace_back(std::string("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and "
                                   "must start and end with an alphanumeric character (e.g. 'MyName',  or "
                                   "'my.name',  or '123-abc', regex used for validation is "
                                   "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
                                   "prefix and '/' (e.g. 'example.com/MyName')"));
      return out;
    }
    const std::string prefix = s.substr(0, slash);
    if (prefix.empty()) {
      out.emplace_back("prefix part must be non-empty");
    } else {
      for (const auto& m : dns1123_subdomain_errors(prefix)) {
        out.push_back("prefix part " + m);
      }
    }
    name = std::string_view(s).substr(slash + 1);
  }
  if (name.empty()) {
    out.emplace_back("name part must be non-empty");
  } else {
    if (name.size() > 63) {
      out.emplace_back("name part must be no more than 63 characters");
    }
    if (!name_part_ok(name)) {
      out.emplace_back(k_name_part_msg);
    }
  }
  return out;
}

bool
is_qualified_name(const std::string& s)
{
  return qualified_name_errors(s).empty();
}

std::vector<std::string>
label_value_errors(const std::string& s)
{
  std::vector<std::string> out;
  if (s.size() > 63) {
    out.emplace_back("must be no more than 63 characters");
  }
  if (!s.empty() && !name_part_ok(s)) {
    out.emplace_back(k_label_value_msg);
  }
  return out;
}

bool
is_label_value(const std::string& s)
{
  return label_value_errors(s).empty();
}

void
normalize_metadata(Json& obj, const std::string& kind, std::vector<std::string>* unknown)
{
  Json* meta = child(obj, "metadata");
  if (meta == nullptr) {
    return;
  }
  if (meta->is_null()) {
    obj.erase("metadata");
    return;
  }
  if (!meta->is_object()) {
    throw err_bad_request(kind + " cannot be handled: json: cannot unmarshal " + std::string(meta->type_name()) +
                          " into Go struct field .metadata of type v1.ObjectMeta");
  }
  auto type_error = [&](const std::string& field, const char* go_type, const Json& v) {
    return err_bad_request(kind + " cannot be handled: json: cannot unmarshal " + std::string(v.type_name()) +
                           " into Go struct field ObjectMeta.metadata." + field + " of type " + go_type);
  };
  std::vector<std::string> drop;
  for (auto it = meta->begin(); it != meta->end(); ++it) {
    const std::string& k = it.key();
    const Json& v = *it;
    if (k == "name" || k == "generateName" || k == "namespace" || k == "selfLink" || k == "uid" ||
        k == "resourceVersion") {
      if (!v.is_string() && !v.is_null()) {
        throw type_error(k, "string", v);
      }
    } else if (k == "generation" || k == "deletionGracePeriodSeconds") {
      if (!v.is_number_integer() && !v.is_null()) {
        throw type_error(k, "int64", v);
      }
    } else if (k == "creationTimestamp" || k == "deletionTimestamp") {
      if (!v.is_string() && !v.is_null()) {
        throw type_error(k, "v1.Time", v);
      }
    } else if (k == "labels" || k == "annotations") {
      if (v.is_null()) {
        continue;
      }
      if (!v.is_object()) {
        throw type_error(k, "map[string]string", v);
      }
      for (const auto& [lk, lv] : v.items()) {
        if (!lv.is_string()) {
          throw type_error(k, "string", lv);
        }
      }
    } else if (k == "finalizers") {
      if (v.is_null()) {
        continue;
      }
      if (!v.is_array()) {
        throw type_error(k, "[]string", v);
      }
      for (const auto& f : v) {
        if (!f.is_string()) {
          throw type_error(k, "string", f);
        }
      }
    } else if (k == "ownerReferences" || k == "managedFields") {
      if (!v.is_array() && !v.is_null()) {
        throw type_error(k, "[]", v);
      }
    } else {
      drop.push_back(k);
    }
  }
  for (const auto& k : drop) {
    meta->erase(k);
    if (unknown != nullptr) {
      unknown->push_back("metadata." + k);
    }
  }
  // Nulls mean absent.
  std::vector<std::string> nulls;
  for (auto it = meta->begin(); it != meta->end(); ++it) {
    if (it->is_null()) {
      nulls.push_back(it.key());
    }
  }
  for (const auto& k : nulls) {
    meta->erase(k);
  }
}

void
validate_metadata(const Json& meta, NameRules rules, bool namespaced, std::vector<FieldError>& errors)
{
  const std::string name = string_at(meta, "name");
  const std::string generate_name = string_at(meta, "generateName");
  if (name.empty() && generate_name.empty()) {
    errors.push_back(
      FieldError::make(FieldError::Type::required, "metadata.name", nullptr, "name or generateName is required"));
  }
  auto name_errors = [&](const std::string& n) {
    switch (rules) {
      case NameRules::label:
        return dns1123_label_errors(n);
      case NameRules::subdomain:
        return dns1123_subdomain_errors(n);
      case NameRules::path_segment: {
        std::vector<std::string> out;
        if (n == "." || n == "..") {
          out.push_back("may not be '" + n + "'");
        }
        if (n.find('/') != std::string::npos || n.find('%') != std::string::npos) {
          out.emplace_back("may not contain '/'");
        }
        return out;
      }
    }
    return std::vector<std::string>{};
  };
  if (!name.empty()) {
    if (const auto msgs = name_errors(name); !msgs.empty()) {
      add_invalid(errors, "metadata.name", Json(name), join_messages(msgs));
    }
  }
  if (!generate_name.empty()) {
    // A prefix: validated with a trailing character that makes it complete.
    const std::string probe =
      generate_name.back() == '-' || generate_name.back() == '.' ? generate_name + "a" : generate_name;
    if (const auto msgs = name_errors(probe); !msgs.empty()) {
      add_invalid(errors, "metadata.generateName", Json(generate_name), join_messages(msgs));
    }
  }
  if (!namespaced && !string_at(meta, "namespace").empty()) {
    errors.push_back(
      FieldError::make(FieldError::Type::forbidden, "metadata.namespace", nullptr, "not allowed on this type"));
  }
  if (const Json* labels = child(meta, "labels"); labels != nullptr && labels->is_object()) {
    for (const auto& [k, v] : labels->items()) {
      if (const auto msgs = qualified_name_errors(k); !msgs.empty()) {
        add_invalid(errors, "metadata.labels", Json(k), join_messages(msgs));
      }
      if (v.is_string()) {
        if (const auto msgs = label_value_errors(v.get<std::string>()); !msgs.empty()) {
          add_invalid(errors, "metadata.labels", v, join_messages(msgs));
        }
      }
    }
  }
  if (const Json* annotations = child(meta, "annotations"); annotations != nullptr && annotations->is_object()) {
    std::size_t total = 0;
    for (const auto& [k, v] : annotations->items()) {
      if (const auto msgs = qualified_name_errors(k); !msgs.empty()) {
        add_invalid(errors, "metadata.annotations", Json(k), join_messages(msgs));
      }
      total += k.size() + (v.is_string() ? v.get_ref<const std::string&>().size() : 0);
    }
    constexpr std::size_t k_limit = 256 * 1024;
    if (total > k_limit) {
      errors.push_back(FieldError::make(
        FieldError::Type::too_long, "metadata.annotations", nullptr, "must have at most 262144 bytes"));
    }
  }
  if (const Json* finalizers = child(meta, "finalizers"); finalizers != nullptr && finalizers->is_array()) {
    for (std::size_t i = 0; i < finalizers->size(); ++i) {
      const auto& f = (*finalizers)[i];
      if (f.is_string()) {
        if (const auto msgs = qualified_name_errors(f.get<std::string>()); !msgs.empty()) {
          add_invalid(errors, "metadata.finalizers[" + std::to_string(i) + "]", f, join_messages(msgs));
        }
      }
    }
  }
  if (const Json* owners = child(meta, "ownerReferences"); owners != nullptr && owners->is_array()) {
    int controllers = 0;
    for (const auto& ref : *owners) {
      if (!ref.is_object()) {
        continue;
      }
      const std::pair<const char*, const char*> checks[] = { { "apiVersion", "version must not be empty" },
                                                             { "kind", "kind must not be empty" },
                                                             { "name", "name must not be empty" },
                                                             { "uid", "uid must not be empty" } };
      for (const auto& [field, msg] : checks) {
        if (string_at(ref, field).empty()) {
          add_invalid(errors, std::string("metadata.ownerReferences.") + field, Json(""), msg);
        }
      }
      if (const Json* c = child(ref, "controller"); c != nullptr && c->is_boolean() && c->get<bool>()) {
        ++controllers;
      }
    }
    if (controllers > 1) {
      errors.push_back(FieldError::make(FieldError::Type::invalid,
                                        "metadata.ownerReferences",
                                        nullptr,
                                        "Only one reference can have Controller set to true"));
    }
  }
}

} // namespace ocne::test::kube
