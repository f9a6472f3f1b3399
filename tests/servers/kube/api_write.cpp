// create, update, patch (JSON, merge, strategic, apply), delete and
// deletecollection, with the validation, defaulting, pruning, generation
// and managed-fields rules of kube-apiserver.

#include "tests/servers/kube/api_server.hpp"
#include "tests/servers/kube/crd.hpp"
#include "tests/servers/kube/managed_fields.hpp"
#include "tests/servers/kube/patch.hpp"

#include <algorithm>
#include <random>

namespace ocne::test::kube {

namespace {

std::string
media_type(const std::string& content_type)
{
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') {
    t.pop_back();
  }
  return t;
}

const Json&
meta_of(const Json& obj)
{
  static const Json empty = Json::object();
  const Json* m = child(obj, "metadata");
  return m != nullptr && m->is_object() ? *m : empty;
}

std::string
random_suffix()
{
  static const char k_chars[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 rng{ std::random_device{}() };
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out += k_chars[rng() % (sizeof k_chars - 1)];
  }
  return out;
}

std::vector<std::string>
finalizers_of(const Json& obj)
{
  std::vector<std::string> out;
  if (const Json* f = child(meta_of(obj), "finalizers"); f != nullptr && f->is_array()) {
    for (const auto& v : *f) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

bool
valid_config_key(const std::string& k)
{
  if (k.empty() || k.size() > 253 || k == "." || k == "..") {
    return false;
  }
  return std::all_of(
    k.begin(), k.end(), [](unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.'; });
}

// Everything but metadata and status: what bumps metadata.generation.
Json
spec_part(const Json& obj, bool custom)
{
  if (!custom) {
    const Json* spec = child(obj, "spec");
    return spec != nullptr ? *spec : Json();
  }
  Json out = obj;
  for (const char* k : { "metadata", "status", "apiVersion", "kind" }) {
    out.erase(k);
  }
  return out;
}

Json
without_rv(const Json& obj)
{
  Json out = obj;
  if (Json* m = child(out, "metadata"); m != nullptr && m->is_object()) {
    m->erase("resourceVersion");
  }
  return out;
}

bool
returns_deleted_object(const ResourceType& t)
{
  return t.custom() || t.plural == "pods" || t.plural == "serviceaccounts" || t.plural == "storageclasses";
}

} // namespace

std::string
ApiServer::field_manager(const Call& c) const
{
  const std::string m = c.param("fieldManager");
  if (!m.empty()) {
    return m;
  }
  return manager_from_user_agent(c.user_agent);
}

Json
ApiServer::decode_body(const Call& c) const
{
  const std::string type = media_type(c.content_type);
  if (type == "application/vnd.kubernetes.protobuf" || type == "application/cbor") {
    throw err_unsupported_media_type("the body of the request was in an unknown format - accepted media types "
                                     "include: application/json, application/yaml");
  }
  if (c.body.empty()) {
    throw err_bad_request("the body of the request was empty");
  }
  try {
    return parse_json_or_yaml(c.body);
  } catch (const std::invalid_argument& e) {
    throw err_bad_request(std::string("couldn't get version/kind; json parse error: ") + e.what());
  }
}

void
ApiServer::check_type_meta(Json& obj, const Call& c) const
{
  if (!obj.is_object()) {
    throw err_bad_request("the object provided is unrecognized (must be a JSON object)");
  }
  const ResourceType& t = *c.type;
  std::string av = string_at(obj, "apiVersion");
  std::string kind = string_at(obj, "kind");
  if (t.custom()) {
    if (kind.empty()) {
      throw err_bad_request("Object 'Kind' is missing in '" + obj.dump() + "'");
    }
    if (av.empty()) {
      throw err_bad_request("Object 'apiVersion' is missing in '" + obj.dump() + "'");
    }
  }
  if (av.empty()) {
    av = t.api_version(c.version);
    obj["apiVersion"] = av;
  }
  if (kind.empty()) {
    kind = t.kind;
    obj["kind"] = kind;
  }
  const auto slash = av.find('/');
  const std::string group = slash == std::string::npos ? "" : av.substr(0, slash);
  const std::string version = slash == std::string::npos ? av : av.substr(slash + 1);
  const ResourceVersion* v = t.find_version(version);
  if (group != t.group || v == nullptr || !v->served) {
    throw err_bad_request("the API version in the data (" + av + ") does not match the expected API version (" +
                          t.api_version(c.version) + ")");
  }
  if (kind != t.kind) {
    throw err_bad_request("the kind in the data (" + kind + ") does not match the expected kind (" + t.kind + ")");
  }
  // One object, one version: conversion "None" only rewrites apiVersion.
  obj["apiVersion"] = t.api_version(c.version);
}

void
ApiServer::prepare(Json& obj, const Call& c, const Json* old, std::vector<std::string>& warnings) const
{
  (void)old;
  const ResourceType& t = *c.type;
  std::string validation = c.param("fieldValidation");
  if (validation.empty()) {
    validation = "Warn";
  }
  if (validation != "Strict" && validation != "Warn" && validation != "Ignore") {
    throw err_bad_request("fieldValidation: Unsupported value: " + go_quote(validation) +
                          ": supported values: \"Ignore\", \"Strict\", \"Warn\"");
  }
  std::vector<std::string> unknown;
  normalize_metadata(obj, t.kind, &unknown);
  const ResourceVersion* v = t.find_version(c.version);
  if (v != nullptr && v->schema) {
    prune(obj, *v->schema, &unknown, true);
  }
  if (!unknown.empty()) {
    if (validation == "Strict") {
      std::string list;
      for (const auto& u : unknown) {
        list += (list.empty() ? "" : ", ") + std::string("unknown field ") + go_quote(u);
      }
      throw err_bad_request(t.kind + " in version " + go_quote(c.version) + " cannot be handled as a " + t.kind +
                            ": strict decoding error: " + list);
    }
    if (validation == "Warn") {
      for (const auto& u : unknown) {
        warnings.push_back("unknown field " + go_quote(u));
      }
    }
  }
  if (c.verb != "patch" || media_type(c.content_type) != "application/apply-patch+yaml") {
    if (v != nullptr && v->schema) {
      apply_defaults(obj, *v->schema);
    }
  }
  if (t.builtin && t.group.empty() && (t.plural == "secrets" || t.plural == "configmaps")) {
    const char* binary = t.plural == "secrets" ? "data" : "binaryData";
    if (const Json* data = child(obj, binary); data != nullptr && data->is_object()) {
      for (const auto& [k, val] : data->items()) {
        if (val.is_string() && !base64_decode(val.get<std::string>())) {
          throw err_bad_request(t.kind + " in version \"v1\" cannot be handled as a " + t.kind +
                                ": illegal base64 data at input byte 0");
        }
      }
    }
    if (t.plural == "secrets") {
      if (Json* sd = child(obj, "stringData"); sd != nullptr) {
        if (sd->is_object()) {
          for (const auto& [k, val] : sd->items()) {
            if (val.is_string()) {
              obj["data"][k] = base64_encode(val.get<std::string>());
            }
          }
        }
        obj.erase("stringData");
      }
      if (string_at(obj, "type").empty() && c.verb != "patch") {
        obj["type"] = "Opaque";
      }
    }
  }
}

void
ApiServer::validate_object(const Json& obj, const Call& c, const Json* old) const
{
  const ResourceType& t = *c.type;
  std::vector<FieldError> errs;
  const Json& meta = meta_of(obj);
  validate_metadata(meta, t.name_rules, t.namespaced, errs);
  const ResourceVersion* v = t.find_version(c.version);
  if (v != nullptr && v->schema) {
    Json body = obj;
    body.erase("metadata");
    validate(body, *v->schema, "", errs);
  }
  const std::string id = t.group + "/" + t.plural;
  if (id == "apiextensions.k8s.io/customresourcedefinitions") {
    for (auto& e : validate_crd(obj)) {
      errs.push_back(std::move(e));
    }
  } else if (id == "/secrets" || id == "/configmaps") {
    for (const char* field : { "data", "binaryData" }) {
      if (const Json* d = child(obj, field); d != nullptr && d->is_object()) {
        for (const auto& [k, val] : d->items()) {
          if (!valid_config_key(k)) {
            const Json key = k;
            errs.push_back(FieldError::make(FieldError::Type::invalid,
                                            std::string(field) + "[" + k + "]",
                                            &key,
                                            "a valid config key must consist of alphanumeric characters, '-', '_' "
                                            "or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
                                            "for validation is '[-._a-zA-Z0-9]+')"));
          }
        }
      }
    }
    if (old != nullptr) {
      const Json* was_immutable = child(*old, "immutable");
      if (was_immutable != nullptr && was_immutable->is_boolean() && was_immutable->get<bool>()) {
        const char* data_field = "data";
        const Json* a = child(*old, data_field);
        const Json* b = child(obj, data_field);
        if ((a == nullptr) != (b == nullptr) || (a != nullptr && *a != *b)) {
          errs.push_back(FieldError::make(
            FieldError::Type::forbidden, "data", nullptr, "field is immutable when `immutable` is set"));
        }
        const Json* now_immutable = child(obj, "immutable");
        if (now_immutable == nullptr || !now_immutable->is_boolean() || !now_immutable->get<bool>()) {
          const Json f = false;
          errs.push_back(FieldError::make(
            FieldError::Type::forbidden, "immutable", nullptr, "field is immutable when `immutable` is set"));
        }
      }
      if (id == "/secrets" && string_at(*old, "type") != string_at(obj, "type")) {
        const Json ty = string_at(obj, "type");
        errs.push_back(FieldError::make(FieldError::Type::invalid, "type", &ty, "field is immutable"));
      }
    }
  } else if (id == "apps/deployments" || id == "apps/replicasets" || id == "apps/statefulsets" ||
             id == "apps/daemonsets") {
    const Json* spec = child(obj, "spec");
    const Json* selector = spec != nullptr ? child(*spec, "selector") : nullptr;
    if (selector == nullptr || !selector->is_object() || selector->empty()) {
      errs.push_back(FieldError::make(FieldError::Type::required, "spec.selector", nullptr));
    } else {
      const Json* match = child(*selector, "matchLabels");
      const std::string tl = "template";
      const Json* tmpl = child(*spec, tl);
      const Json* tmeta = tmpl != nullptr ? child(*tmpl, "metadata") : nullptr;
      const Json* labels = tmeta != nullptr ? child(*tmeta, "labels") : nullptr;
      bool ok = true;
      if (match != nullptr && match->is_object()) {
        for (const auto& [k, val] : match->items()) {
          const Json* have = labels != nullptr ? child(*labels, k) : nullptr;
          ok = ok && have != nullptr && *have == val;
        }
      }
      if (!ok) {
        const Json shown = labels != nullptr ? *labels : Json::object();
        errs.push_back(FieldError::make(FieldError::Type::invalid,
                                        "spec.template.metadata.labels",
                                        &shown,
                                        "`selector` does not match template `labels`"));
      }
      if (old != nullptr) {
        const Json* old_spec = child(*old, "spec");
        const Json* old_sel = old_spec != nullptr ? child(*old_spec, "selector") : nullptr;
        if (old_sel != nullptr && *old_sel != *selector) {
          errs.push_back(FieldError::make(FieldError::Type::invalid, "spec.selector", selector, "field is immutable"));
        }
      }
    }
  }
  if (!errs.empty()) {
    std::string name = string_at(meta, "name");
    if (name.empty()) {
      name = string_at(meta, "generateName");
    }
    throw err_invalid(t.group, t.kind, name, errs);
  }
}

void
ApiServer::check_namespace(const Call& c, const std::string& ns, const std::string& name) const
{
  if (!c.type->namespaced) {
    return;
  }
  const ObjectPtr ns_obj = find({ "", "namespaces", "", ns });
  if (!ns_obj) {
    throw err_not_found("", "namespaces", ns);
  }
  if (child(meta_of(*ns_obj), "deletionTimestamp") != nullptr) {
    ApiError e(403,
               "Forbidden",
               qualified_resource(c.type->group, c.type->plural) + " " + go_quote(name) +
                 " is forbidden: unable to create new content in namespace " + ns + " because it is being terminated");
    e.with_details(name, c.type->group, c.type->plural);
    e.with_cause("NamespaceTerminating", "namespace " + ns + " is being terminated", "metadata.namespace");
    throw e;
  }
}

Reply
ApiServer::create_object(Call& c, Json obj, std::vector<std::string> warnings, const Json* applied)
{
  const ResourceType& t = *c.type;
  if (!obj["metadata"].is_object()) {
    obj["metadata"] = Json::object();
  }
  if (!string_at(obj["metadata"], "resourceVersion").empty() && applied == nullptr) {
    throw err_bad_request("resourceVersion should not be set on objects to be created");
  }
  if (t.namespaced) {
    obj["metadata"]["namespace"] = c.ns;
  }
  // Server-set fields.
  for (const char* k : { "uid",
                         "resourceVersion",
                         "generation",
                         "creationTimestamp",
                         "deletionTimestamp",
                         "deletionGracePeriodSeconds",
                         "selfLink" }) {
    obj["metadata"].erase(k);
  }
  admit(c, "CREATE", &obj, nullptr, true);
  Json& meta = obj["metadata"];
  if (!meta.is_object()) {
    meta = Json::object();
  }
  validate_object(obj, c, nullptr);
  if (string_at(meta, "name").empty()) {
    const std::string prefix = string_at(meta, "generateName");
    for (int attempt = 0; attempt < 8; ++attempt) {
      const std::string name = prefix + random_suffix();
      if (!find({ t.group, t.plural, c.ns, name })) {
        meta["name"] = name;
        break;
      }
    }
  }
  const std::string name = string_at(meta, "name");
  check_namespace(c, c.ns, name);
  const ObjectKey key{ t.group, t.plural, t.namespaced ? c.ns : "", name };
  if (find(key)) {
    throw err_already_exists(t.group, t.plural, name);
  }
  const std::string ts = now();
  meta["uid"] = new_uid();
  meta["creationTimestamp"] = ts;
  if (t.has_generation) {
    meta["generation"] = 1;
  }
  const ResourceVersion* v = t.find_version(c.version);
  if (v != nullptr && v->status_subresource && applied == nullptr) {
    obj.erase("status");
  }
  const std::string id = t.group + "/" + t.plural;
  std::string crd_conflict;
  if (id == "/namespaces") {
    obj["spec"]["finalizers"] = Json::array({ "kubernetes" });
    obj["status"] = { { "phase", "Active" } };
    meta["labels"]["kubernetes.io/metadata.name"] = name;
  } else if (id == "apiextensions.k8s.io/customresourcedefinitions") {
    default_crd(obj);
    auto fins = finalizers_of(obj);
    if (std::find(fins.begin(), fins.end(), "customresourcecleanup.apiextensions.k8s.io") == fins.end()) {
      meta["finalizers"].push_back("customresourcecleanup.apiextensions.k8s.io");
    }
    const Json& spec = obj["spec"];
    const std::string group = string_at(spec, "group");
    const std::string plural = string_at(spec["names"], "plural");
    if (const auto existing = type_by_plural(group, plural); existing && existing->crd_name != name) {
      crd_conflict = go_quote(plural) + " is already in use";
    }
    obj.erase("status");
    set_crd_status(obj, m_options.crd_establish_delay.count() == 0, crd_conflict, ts);
  }
  const FieldScope scope{ v != nullptr ? v->schema.get() : nullptr, "", v != nullptr && v->status_subresource };
  if (applied == nullptr) {
    record_update(nullptr, obj, field_manager(c), t.api_version(c.version), scope, ts);
  }
  admit(c, "CREATE", &obj, nullptr, false);
  obj = convert(t, std::move(obj), t.storage_version().name);
  Reply r;
  r.status = 201;
  r.warnings = std::move(warnings);
  if (c.param("dryRun") == "All") {
    r.body = output(obj, t, c.version);
    return r;
  }
  const ObjectPtr stored = commit(t, key, std::move(obj), "ADDED");
  if (id == "apiextensions.k8s.io/customresourcedefinitions") {
    crd_changed(*stored);
  }
  settle();
  r.body = output(*stored, t, c.version);
  return r;
}

Reply
ApiServer::finish_update(Call& c, const ObjectPtr& old, Json updated, std::vector<std::string> warnings, bool apply)
{
  const ResourceType& t = *c.type;
  const ResourceVersion* v = t.find_version(c.version);
  const Json& old_meta = meta_of(*old);
  const std::string ts = now();
  if (c.subresource == "status") {
    // A status write changes status (and managed fields) only.
    Json result = *old;
    if (const Json* s = child(updated, "status")) {
      result["status"] = *s;
    } else {
      result.erase("status");
    }
    if (apply) {
      if (const Json* mf = child(meta_of(updated), "managedFields")) {
        result["metadata"]["managedFields"] = *mf;
      }
    }
    result["apiVersion"] = updated["apiVersion"];
    updated = std::move(result);
  } else {
    Json& meta = updated["metadata"];
    for (const char* k :
         { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" }) {
      if (const Json* ov = child(old_meta, k)) {
        meta[k] = *ov;
      } else {
        meta.erase(k);
      }
    }
    meta.erase("selfLink");
    if (v != nullptr && v->status_subresource) {
      if (const Json* s = child(*old, "status")) {
        updated["status"] = *s;
      } else {
        updated.erase("status");
      }
    }
    if (t.group.empty() && t.plural == "namespaces") {
      // spec.finalizers change through /finalize only; status is the server's.
      if (const Json* s = child(*old, "spec")) {
        updated["spec"] = *s;
      }
      if (const Json* s = child(*old, "status")) {
        updated["status"] = *s;
      }
    }
    if (child(old_meta, "deletionTimestamp") != nullptr) {
      const auto before = finalizers_of(*old);
      std::vector<std::string> added;
      for (const auto& f : finalizers_of(updated)) {
        if (std::find(before.begin(), before.end(), f) == before.end()) {
          added.push_back(f);
        }
      }
      if (!added.empty()) {
        std::string list;
        for (const auto& a : added) {
          list += (list.empty() ? "" : ", ") + go_quote(a);
        }
        throw err_invalid(t.group,
                          t.kind,
                          c.name,
                          { FieldError::make(FieldError::Type::forbidden,
                                             "metadata.finalizers",
                                             nullptr,
                                             "no new finalizers can be added if the object is being deleted, found "
                                             "new finalizers []string{" +
                                               list + "}") });
      }
    }
    if (t.has_generation && spec_part(*old, t.custom()) != spec_part(updated, t.custom())) {
      meta["generation"] = old_meta.value("generation", 0) + 1;
    }
  }
  if (c.subresource == "finalize" && t.plural == "namespaces") {
    // /finalize sets spec.finalizers.
    (void)0;
  }
  const std::string id = t.group + "/" + t.plural;
  if (id == "apiextensions.k8s.io/customresourcedefinitions" && c.subresource.empty()) {
    default_crd(updated);
    const Json& spec = updated["spec"];
    const std::string group = string_at(spec, "group");
    const std::string plural = spec.contains("names") ? string_at(spec["names"], "plural") : "";
    std::string conflict;
    if (const auto existing = type_by_plural(group, plural); existing && existing->crd_name != c.name) {
      conflict = go_quote(plural) + " is already in use";
    }
    bool established = false;
    if (const Json* st = child(*old, "status"); st != nullptr && st->contains("conditions")) {
      for (const auto& cond : (*st)["conditions"]) {
        established = established || (string_at(cond, "type") == "Established" && string_at(cond, "status") == "True");
      }
    }
    set_crd_status(updated, established || m_options.crd_establish_delay.count() == 0, conflict, ts);
  }
  admit(c, "UPDATE", &updated, old.get(), true);
  validate_object(updated, c, old.get());
  const FieldScope scope{ v != nullptr ? v->schema.get() : nullptr,
                          c.subresource == "status" ? "status" : "",
                          v != nullptr && v->status_subresource };
  if (!apply) {
    record_update(old.get(), updated, field_manager(c), t.api_version(c.version), scope, ts);
  }
  admit(c, "UPDATE", &updated, old.get(), false);
  Reply r;
  r.warnings = std::move(warnings);
  updated["apiVersion"] = old->value("apiVersion", t.api_version(c.version));
  updated["kind"] = t.kind;
  if (without_rv(updated) == without_rv(*old)) {
    r.body = output(*old, t, c.version); // nothing changed: no new resourceVersion, no event
    return r;
  }
  if (c.param("dryRun") == "All") {
    r.body = output(updated, t, c.version);
    return r;
  }
  const ObjectKey key{ t.group, t.plural, t.namespaced ? c.ns : "", c.name };
  updated = convert(t, std::move(updated), t.storage_version().name);
  const ObjectPtr stored = commit(t, key, std::move(updated), "MODIFIED");
  if (id == "apiextensions.k8s.io/customresourcedefinitions") {
    crd_changed(*stored);
  }
  settle();
  r.body = output(*stored, t, c.version);
  return r;
}

Reply
ApiServer::do_create(Call& c)
{
  if (!c.subresource.empty()) {
    throw err_method_not_allowed("the server does not allow this method on the requested resource");
  }
  Json obj = decode_body(c);
  check_type_meta(obj, c);
  Json& meta = obj["metadata"];
  if (!meta.is_object()) {
    meta = Json::object();
  }
  const std::string body_ns = string_at(meta, "namespace");
  if (c.type->namespaced) {
    if (c.ns.empty()) {
      throw err_not_found(c.type->group, c.type->plural, "");
    }
    if (!body_ns.empty() && body_ns != c.ns) {
      throw err_bad_request("the namespace of the provided object does not match the namespace sent on the request");
    }
  }
  if (const Json* crd_meta = nullptr; crd_meta == nullptr && c.type->custom()) {
    // A CRD being deleted takes no new objects.
    const auto crd = find({ "apiextensions.k8s.io", "customresourcedefinitions", "", c.type->crd_name });
    if (crd && child(meta_of(*crd), "deletionTimestamp") != nullptr) {
      throw err_method_not_allowed("create not allowed while custom resource definition is terminating");
    }
  }
  std::vector<std::string> warnings;
  prepare(obj, c, nullptr, warnings);
  return create_object(c, std::move(obj), std::move(warnings), nullptr);
}

Reply
ApiServer::do_update(Call& c)
{
  Json obj = decode_body(c);
  check_type_meta(obj, c);
  Json& meta = obj["metadata"];
  if (!meta.is_object()) {
    meta = Json::object();
  }
  const std::string body_name = string_at(meta, "name");
  if (body_name != c.name) {
    throw err_bad_request("the name of the object (" + body_name + ") does not match the name on the URL (" + c.name +
                          ")");
  }
  if (c.type->namespaced) {
    const std::string body_ns = string_at(meta, "namespace");
    if (!body_ns.empty() && body_ns != c.ns) {
      throw err_bad_request("the namespace of the provided object does not match the namespace sent on the request");
    }
  }
  const ObjectKey key{ c.type->group, c.type->plural, c.type->namespaced ? c.ns : "", c.name };
  // Updates work on the object at the request's version.
  const ObjectPtr old = at_version(find(key), *c.type, c.version);
  std::vector<std::string> warnings;
  if (!old) {
    if (c.type->allow_create_on_update && c.subresource.empty()) {
      prepare(obj, c, nullptr, warnings);
      obj["metadata"].erase("resourceVersion");
      return create_object(c, std::move(obj), std::move(warnings), nullptr);
    }
    throw err_not_found(c.type->group, c.type->plural, c.name);
  }
  const std::string rv = string_at(meta, "resourceVersion");
  if (rv.empty()) {
    if (!c.type->unconditional_update) {
      const Json zero = 0;
      throw err_invalid(
        c.type->group,
        c.type->kind,
        c.name,
        { FieldError::make(
          FieldError::Type::invalid, "metadata.resourceVersion", &zero, "must be specified for an update") });
    }
  } else if (rv != string_at(meta_of(*old), "resourceVersion")) {
    throw err_stale(c.type->group, c.type->plural, c.name);
  }
  prepare(obj, c, old.get(), warnings);
  return finish_update(c, old, std::move(obj), std::move(warnings), false);
}

Reply
ApiServer::do_patch(Call& c)
{
  const std::string type = media_type(c.content_type);
  const bool apply = type == "application/apply-patch+yaml";
  const ResourceType& t = *c.type;
  const ResourceVersion* v = t.find_version(c.version);
  if (!apply && !c.param("force").empty()) {
    throw err_invalid(
      "meta.k8s.io",
      "PatchOptions",
      "",
      { FieldError::make(FieldError::Type::forbidden, "force", nullptr, "may not be specified for non-apply patch") });
  }
  const ObjectKey key{ t.group, t.plural, t.namespaced ? c.ns : "", c.name };
  const ObjectPtr old = at_version(find(key), t, c.version);
  std::vector<std::string> warnings;
  if (apply) {
    const std::string manager = c.param("fieldManager");
    if (manager.empty()) {
      throw err_invalid(
        "meta.k8s.io",
        "PatchOptions",
        "",
        { FieldError::make(FieldError::Type::required, "fieldManager", nullptr, "is required for apply patch") });
    }
    Json config = decode_body(c);
    check_type_meta(config, c);
    Json& meta = config["metadata"];
    if (!meta.is_object()) {
      meta = Json::object();
    }
    const std::string name = string_at(meta, "name");
    if (name.empty()) {
      meta["name"] = c.name;
    } else if (name != c.name) {
      throw err_bad_request("the name of the object (" + name + ") does not match the name on the URL (" + c.name +
                            ")");
    }
    if (t.namespaced) {
      const std::string ns = string_at(meta, "namespace");
      if (!ns.empty() && ns != c.ns) {
        throw err_bad_request("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta["namespace"] = c.ns;
    }
    prepare(config, c, old.get(), warnings);
    const std::string rv = string_at(meta, "resourceVersion");
    if (!rv.empty() && old && rv != string_at(meta_of(*old), "resourceVersion")) {
      throw err_stale(t.group, t.plural, c.name);
    }
    meta.erase("resourceVersion");
    const FieldScope scope{ v != nullptr ? v->schema.get() : nullptr,
                            c.subresource == "status" ? "status" : "",
                            v != nullptr && v->status_subresource };
    const bool force = c.flag("force");
    const std::string av = t.api_version(c.version);
    if (!old) {
      if (!c.subresource.empty()) {
        throw err_not_found(t.group, t.plural, c.name);
      }
      if (t.custom()) {
        const auto crd = find({ "apiextensions.k8s.io", "customresourcedefinitions", "", t.crd_name });
        if (crd && child(meta_of(*crd), "deletionTimestamp") != nullptr) {
          throw err_method_not_allowed("create not allowed while custom resource definition is terminating");
        }
      }
      Json merged = server_side_apply(nullptr, config, manager, force, av, scope, now());
      merged["apiVersion"] = av;
      merged["kind"] = t.kind;
      if (v != nullptr && v->schema) {
        apply_defaults(merged, *v->schema);
      }
      if (t.builtin && t.plural == "secrets" && string_at(merged, "type").empty()) {
        merged["type"] = "Opaque";
      }
      return create_object(c, std::move(merged), std::move(warnings), &config);
    }
    Json live = output(*old, t, c.version);
    Json merged = server_side_apply(&live, config, manager, force, av, scope, now());
    if (v != nullptr && v->schema) {
      apply_defaults(merged, *v->schema);
    }
    return finish_update(c, old, std::move(merged), std::move(warnings), true);
  }
  const bool known_type = type == "application/json-patch+json" || type == "application/merge-patch+json" ||
                          (type == "application/strategic-merge-patch+json" && !t.custom());
  if (!known_type) {
    std::string accepted = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
    if (!t.custom()) {
      accepted += ", application/strategic-merge-patch+json";
    }
    throw err_unsupported_media_type("the body of the request was in an unknown format - accepted media types "
                                     "include: " +
                                     accepted);
  }
  if (!old) {
    throw err_not_found(t.group, t.plural, c.name);
  }
  Json patch;
  try {
    patch = Json::parse(c.body);
  } catch (const Json::exception& e) {
    throw err_bad_request(std::string("error decoding patch: ") + e.what());
  }
  const Json original = output(*old, t, c.version);
  Json patched;
  if (type == "application/json-patch+json") {
    patched = apply_json_patch(original, patch);
  } else if (type == "application/merge-patch+json") {
    patched = apply_merge_patch(original, patch);
  } else {
    patched = apply_strategic_merge_patch(original, patch, v != nullptr ? v->schema.get() : nullptr);
  }
  if (!patched.is_object()) {
    throw err_bad_request("the patched object is not a JSON object");
  }
  Json& meta = patched["metadata"];
  if (!meta.is_object()) {
    meta = Json::object();
  }
  if (string_at(meta, "name") != c.name) {
    throw err_bad_request("the name of the object (" + string_at(meta, "name") +
                          ") does not match the name on the URL (" + c.name + ")");
  }
  const std::string rv = string_at(meta, "resourceVersion");
  if (!rv.empty() && rv != string_at(meta_of(*old), "resourceVersion")) {
    throw err_stale(t.group, t.plural, c.name);
  }
  check_type_meta(patched, c);
  prepare(patched, c, old.get(), warnings);
  return finish_update(c, old, std::move(patched), std::move(warnings), false);
}

Reply
ApiServer::do_delete(Call& c)
{
  const ResourceType& t = *c.type;
  if (!c.subresource.empty()) {
    throw err_method_not_allowed("the server does not allow this method on the requested resource");
  }
  const ObjectKey key{ t.group, t.plural, t.namespaced ? c.ns : "", c.name };
  const ObjectPtr old = find(key);
  if (!old) {
    throw err_not_found(t.group, t.plural, c.name);
  }
  Json options = Json::object();
  if (!c.body.empty()) {
    try {
      options = parse_json_or_yaml(c.body);
    } catch (const std::invalid_argument& e) {
      throw err_bad_request(std::string("couldn't decode DeleteOptions: ") + e.what());
    }
  }
  std::string policy = c.param("propagationPolicy");
  if (policy.empty()) {
    policy = string_at(options, "propagationPolicy");
  }
  if (policy.empty()) {
    if (const Json* o = child(options, "orphanDependents"); o != nullptr && o->is_boolean()) {
      policy = o->get<bool>() ? "Orphan" : "Background";
    } else if (const auto q = c.param("orphanDependents"); !q.empty()) {
      policy = q == "true" ? "Orphan" : "Background";
    }
  }
  if (policy.empty()) {
    policy = "Background";
  }
  if (policy != "Orphan" && policy != "Background" && policy != "Foreground") {
    const Json p = policy;
    throw err_invalid("meta.k8s.io",
                      "DeleteOptions",
                      "",
                      { FieldError::make(FieldError::Type::not_supported,
                                         "propagationPolicy",
                                         &p,
                                         "supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"") });
  }
  if (const Json* pre = child(options, "preconditions"); pre != nullptr && pre->is_object()) {
    const std::string uid = string_at(*pre, "uid");
    const std::string have_uid = string_at(meta_of(*old), "uid");
    if (!uid.empty() && uid != have_uid) {
      throw err_conflict(t.group,
                         t.plural,
                         c.name,
                         "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + have_uid);
    }
    const std::string rv = string_at(*pre, "resourceVersion");
    const std::string have_rv = string_at(meta_of(*old), "resourceVersion");
    if (!rv.empty() && rv != have_rv) {
      throw err_conflict(t.group,
                         t.plural,
                         c.name,
                         "Precondition failed: ResourceVersion in precondition: " + rv +
                           ", ResourceVersion in meta: " + have_rv);
    }
  }
  admit(c, "DELETE", nullptr, old.get(), true);
  admit(c, "DELETE", nullptr, old.get(), false);
  Reply r;
  bool dry_run = c.param("dryRun") == "All";
  if (const Json* d = child(options, "dryRun"); d != nullptr && d->is_array() && !d->empty()) {
    dry_run = true;
  }
  if (dry_run) {
    r.body = output(*old, t, c.version);
    return r;
  }
  const ObjectPtr after = begin_deletion(t, key, policy);
  settle();
  const bool gone_now = !child(meta_of(*after), "deletionTimestamp");
  if (gone_now) {
    if (returns_deleted_object(t)) {
      r.body = output(*after, t, c.version);
    } else {
      Json details = { { "name", c.name }, { "kind", t.plural }, { "uid", string_at(meta_of(*old), "uid") } };
      if (!t.group.empty()) {
        details["group"] = t.group;
      }
      r.body = { { "kind", "Status" },
                 { "apiVersion", "v1" },
                 { "metadata", Json::object() },
                 { "status", "Success" },
                 { "details", details } };
    }
    return r;
  }
  r.body = output(*after, t, c.version);
  return r;
}

Reply
ApiServer::do_delete_collection(Call& c)
{
  const ResourceType& t = *c.type;
  const auto labels = LabelSelector::parse(c.param("labelSelector"));
  const auto fields = FieldSelector::parse(c.param("fieldSelector"), t.field_selectors, t.custom());
  std::string policy = c.param("propagationPolicy");
  if (policy.empty()) {
    policy = "Background";
  }
  Json items = Json::array();
  for (const auto& obj : snapshot(t, m_rv)) {
    const Json& meta = meta_of(*obj);
    const std::string ns = string_at(meta, "namespace");
    if (!c.ns.empty() && ns != c.ns) {
      continue;
    }
    const Json* l = child(meta, "labels");
    if (!labels.matches(l != nullptr ? *l : Json()) || !fields.matches(*obj)) {
      continue;
    }
    const ObjectKey key{ t.group, t.plural, ns, string_at(meta, "name") };
    admit(c, "DELETE", nullptr, obj.get(), true);
    admit(c, "DELETE", nullptr, obj.get(), false);
    const ObjectPtr after = begin_deletion(t, key, policy);
    Json item = output(*after, t, c.version);
    if (t.builtin) {
      item.erase("apiVersion");
      item.erase("kind");
    }
    items.push_back(std::move(item));
  }
  settle();
  Reply r;
  r.body = { { "kind", t.list_kind },
             { "apiVersion", t.api_version(c.version) },
             { "metadata", { { "resourceVersion", std::to_string(m_rv) } } },
             { "items", std::move(items) } };
  return r;
}

} // namespace ocne::test::kube
