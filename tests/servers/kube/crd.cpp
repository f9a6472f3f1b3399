#include "tests/servers/kube/crd.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ocne::test::kube {

namespace {

std::string
lower(std::string s)
{
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::vector<std::string>
strings(const Json* list)
{
  std::vector<std::string> out;
  if (list != nullptr && list->is_array()) {
    for (const auto& v : *list) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

// (kind, major, minor): kind 3 = GA, 2 = beta, 1 = alpha, 0 = other.
struct VersionKey
{
  int kind = 0;
  long major = 0;
  long minor = 0;
};

VersionKey
parse_version(const std::string& v)
{
  VersionKey k;
  if (v.size() < 2 || v[0] != 'v' || std::isdigit(static_cast<unsigned char>(v[1])) == 0) {
    return k;
  }
  std::size_t i = 1;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) != 0) {
    ++i;
  }
  k.major = std::stol(v.substr(1, i - 1));
  if (i == v.size()) {
    k.kind = 3;
    return k;
  }
  const std::string rest = v.substr(i);
  for (const auto& [word, kind] : { std::pair<std::string, int>{ "beta", 2 }, { "alpha", 1 } }) {
    if (rest.rfind(word, 0) == 0 && rest.size() > word.size()) {
      const std::string num = rest.substr(word.size());
      if (std::all_of(num.begin(), num.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
        k.kind = kind;
        k.minor = std::stol(num);
      }
      return k;
    }
  }
  return VersionKey{};
}

} // namespace

bool
version_less_preferred(const std::string& a, const std::string& b)
{
  const auto ka = parse_version(a);
  const auto kb = parse_version(b);
  if (ka.kind != kb.kind) {
    return ka.kind < kb.kind;
  }
  if (ka.kind == 0) {
    return a > b; // others sort alphabetically, first is preferred
  }
  if (ka.major != kb.major) {
    return ka.major < kb.major;
  }
  return ka.minor < kb.minor;
}

void
default_crd(Json& crd)
{
  Json& spec = crd["spec"];
  if (!spec.is_object()) {
    return;
  }
  Json& names = spec["names"];
  if (names.is_object()) {
    const std::string kind = string_at(names, "kind");
    if (string_at(names, "singular").empty() && !kind.empty()) {
      names["singular"] = lower(kind);
    }
    if (string_at(names, "listKind").empty() && !kind.empty()) {
      names["listKind"] = kind + "List";
    }
  }
  if (!spec.contains("conversion")) {
    spec["conversion"] = { { "strategy", "None" } };
  }
}

std::vector<FieldError>
validate_crd(const Json& crd)
{
  std::vector<FieldError> errs;
  const Json* spec = child(crd, "spec");
  if (spec == nullptr || !spec->is_object()) {
    errs.push_back(FieldError::make(FieldError::Type::required, "spec", nullptr));
    return errs;
  }
  const std::string group = string_at(*spec, "group");
  const Json* names = child(*spec, "names");
  const std::string plural = names != nullptr ? string_at(*names, "plural") : "";
  const std::string kind = names != nullptr ? string_at(*names, "kind") : "";
  const std::string name = crd.contains("metadata") ? string_at(crd["metadata"], "name") : "";
  if (name != plural + "." + group) {
    const Json v = name;
    errs.push_back(
      FieldError::make(FieldError::Type::invalid, "metadata.name", &v, "must be spec.names.plural+\".\"+spec.group"));
  }
  if (group.empty()) {
    errs.push_back(FieldError::make(FieldError::Type::required, "spec.group", nullptr));
  } else if (group.find('.') == std::string::npos) {
    const Json v = group;
    errs.push_back(
      FieldError::make(FieldError::Type::invalid, "spec.group", &v, "should be a domain with at least one dot"));
  } else if (const auto msgs = dns1123_subdomain_errors(group); !msgs.empty()) {
    const Json v = group;
    errs.push_back(FieldError::make(FieldError::Type::invalid, "spec.group", &v, msgs.front()));
  }
  if (plural.empty()) {
    errs.push_back(FieldError::make(FieldError::Type::required, "spec.names.plural", nullptr));
  } else if (const auto msgs = dns1123_label_errors(plural); !msgs.empty()) {
    const Json v = plural;
    errs.push_back(FieldError::make(FieldError::Type::invalid, "spec.names.plural", &v, msgs.front()));
  }
  if (kind.empty()) {
    errs.push_back(FieldError::make(FieldError::Type::required, "spec.names.kind", nullptr));
  }
  const std::string scope = string_at(*spec, "scope");
  if (scope != "Namespaced" && scope != "Cluster") {
    const Json v = scope;
    errs.push_back(FieldError::make(
      FieldError::Type::not_supported, "spec.scope", &v, "supported values: \"Cluster\", \"Namespaced\""));
  }
  const Json* versions = child(*spec, "versions");
  if (versions == nullptr || !versions->is_array() || versions->empty()) {
    errs.push_back(FieldError::make(
      FieldError::Type::invalid, "spec.versions", nullptr, "must have exactly one version marked as storage version"));
    return errs;
  }
  int storage = 0;
  for (std::size_t i = 0; i < versions->size(); ++i) {
    const Json& v = (*versions)[i];
    const std::string path = "spec.versions[" + std::to_string(i) + "]";
    const std::string vname = string_at(v, "name");
    if (const auto msgs = dns1123_label_errors(vname); !msgs.empty()) {
      const Json value = vname;
      errs.push_back(FieldError::make(FieldError::Type::invalid, path + ".name", &value, msgs.front()));
    }
    if (const Json* s = child(v, "storage"); s != nullptr && s->is_boolean() && s->get<bool>()) {
      ++storage;
    }
    const Json* schema = child(v, "schema");
    const Json* openapi = schema != nullptr ? child(*schema, "openAPIV3Schema") : nullptr;
    if (openapi == nullptr || !openapi->is_object()) {
      errs.push_back(FieldError::make(
        FieldError::Type::required, path + ".schema.openAPIV3Schema", nullptr, "schemas are required"));
    } else if (string_at(*openapi, "type") != "object") {
      errs.push_back(FieldError::make(
        FieldError::Type::required, path + ".schema.openAPIV3Schema.type", nullptr, "must not be empty at the root"));
    } else {
      try {
        compile_schema(*openapi);
      } catch (const std::invalid_argument& e) {
        errs.push_back(
          FieldError::make(FieldError::Type::invalid, path + ".schema.openAPIV3Schema", nullptr, e.what()));
      }
    }
  }
  if (storage != 1) {
    const Json v = Json::array();
    errs.push_back(FieldError::make(
      FieldError::Type::invalid, "spec.versions", nullptr, "must have exactly one version marked as storage version"));
  }
  return errs;
}

ResourceTypePtr
crd_resource_type(const Json& crd)
{
  const Json& spec = crd.at("spec");
  const Json& names = spec.at("names");
  auto t = std::make_shared<ResourceType>();
  t->group = string_at(spec, "group");
  t->kind = string_at(names, "kind");
  t->plural = string_at(names, "plural");
  t->singular = string_at(names, "singular");
  if (t->singular.empty()) {
    t->singular = lower(t->kind);
  }
  t->list_kind = string_at(names, "listKind");
  if (t->list_kind.empty()) {
    t->list_kind = t->kind + "List";
  }
  t->short_names = strings(child(names, "shortNames"));
  t->categories = strings(child(names, "categories"));
  t->namespaced = string_at(spec, "scope") != "Cluster";
  t->builtin = false;
  t->has_generation = true;
  t->allow_create_on_update = false;
  t->unconditional_update = false;
  t->schema_complete = true;
  t->name_rules = NameRules::subdomain;
  t->crd_name = string_at(crd.at("metadata"), "name");
  for (const auto& v : spec.at("versions")) {
    ResourceVersion rv;
    rv.name = string_at(v, "name");
    rv.served = v.value("served", false);
    rv.storage = v.value("storage", false);
    rv.deprecated = v.value("deprecated", false);
    rv.deprecation_warning = string_at(v, "deprecationWarning");
    if (const Json* s = child(v, "schema"); s != nullptr) {
      if (const Json* o = child(*s, "openAPIV3Schema"); o != nullptr) {
        auto compiled = compile_schema(*o);
        for (const auto& u : unchecked_rules(*compiled)) {
          t->unchecked_rules.push_back(t->crd_name + " " + rv.name + " " + (u.path.empty() ? "<root>" : u.path) + ": " +
                                       u.what + " (" + u.why + ")");
        }
        rv.schema = with_object_meta(std::move(compiled));
      }
    }
    if (const Json* sub = child(v, "subresources"); sub != nullptr) {
      rv.status_subresource = sub->contains("status");
      if (const Json* scale = child(*sub, "scale"); scale != nullptr) {
        ScaleSubresource sc;
        sc.spec_replicas_path = string_at(*scale, "specReplicasPath");
        sc.status_replicas_path = string_at(*scale, "statusReplicasPath");
        sc.label_selector_path = string_at(*scale, "labelSelectorPath");
        rv.scale = sc;
      }
    }
    if (const Json* cols = child(v, "additionalPrinterColumns"); cols != nullptr && cols->is_array()) {
      rv.printer_columns = *cols;
    }
    t->versions.push_back(std::move(rv));
  }
  // Discovery lists versions by preference.
  std::stable_sort(t->versions.begin(), t->versions.end(), [](const ResourceVersion& a, const ResourceVersion& b) {
    return version_less_preferred(b.name, a.name);
  });
  return t;
}

void
set_crd_status(Json& crd, bool established, const std::string& conflict, const std::string& now)
{
  Json& status = crd["status"];
  if (!status.is_object()) {
    status = Json::object();
  }
  const Json& spec = crd["spec"];
  const Json* names = child(spec, "names");
  auto condition = [&](const std::string& type, bool ok, const std::string& reason, const std::string& message) {
    Json& conds = status["conditions"];
    if (!conds.is_array()) {
      conds = Json::array();
    }
    const std::string s = ok ? "True" : "False";
    for (auto& c : conds) {
      if (string_at(c, "type") == type) {
        if (string_at(c, "status") != s) {
          c["lastTransitionTime"] = now;
        }
        c["status"] = s;
        c["reason"] = reason;
        c["message"] = message;
        return;
      }
    }
    conds.push_back({ { "type", type },
                      { "status", s },
                      { "lastTransitionTime", now },
                      { "reason", reason },
                      { "message", message } });
  };
  if (conflict.empty()) {
    if (names != nullptr) {
      status["acceptedNames"] = *names;
    }
    condition("NamesAccepted", true, "NoConflicts", "no conflicts found");
    if (established) {
      condition("Established", true, "InitialNamesAccepted", "the initial names have been accepted");
    } else {
      condition("Established", false, "Installing", "the initial names have been accepted");
    }
  } else {
    if (!status.contains("acceptedNames")) {
      status["acceptedNames"] = { { "kind", "" }, { "plural", "" } };
    }
    condition("NamesAccepted", false, "PluralConflict", conflict);
    condition("Established", false, "NotAccepted", "not all names are accepted");
  }
  Json stored =
    status.contains("storedVersions") && status["storedVersions"].is_array() ? status["storedVersions"] : Json::array();
  if (const Json* versions = child(spec, "versions"); versions != nullptr && versions->is_array()) {
    for (const auto& v : *versions) {
      if (v.value("storage", false)) {
        const Json name = string_at(v, "name");
        if (std::find(stored.begin(), stored.end(), name) == stored.end()) {
          stored.push_back(name);
        }
      }
    }
  }
  status["storedVersions"] = stored;
}

} // namespace ocne::test::kube
