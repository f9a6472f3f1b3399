// Discovery (/api, /apis, group and group-version documents, aggregated
// discovery v2) and the OpenAPI v3 documents kubectl reads to learn that
// PATCH takes fieldValidation.

#include "tests/servers/kube/api_server.hpp"
#include "tests/servers/kube/crd.hpp"

#include <algorithm>
#include <functional>

namespace ocne::test::kube {

namespace {

const std::vector<std::string> k_verbs = { "create", "delete", "deletecollection", "get",
                                           "list",   "patch",  "update",           "watch" };

std::string
storage_version_hash(const ResourceType& t)
{
  const auto h = std::hash<std::string>{}(t.group + "/" + t.storage_version().name + "/" + t.kind);
  return base64_encode(std::string(reinterpret_cast<const char*>(&h), 8));
}

Json
string_array(const std::vector<std::string>& v)
{
  Json out = Json::array();
  for (const auto& s : v) {
    out.push_back(s);
  }
  return out;
}

Json
gv(const std::string& group, const std::string& version)
{
  return { { "groupVersion", group.empty() ? version : group + "/" + version }, { "version", version } };
}

} // namespace

std::vector<std::string>
ApiServer::group_versions(const std::string& group) const
{
  std::vector<std::string> out;
  for (const auto& [key, t] : m_types) {
    if (t->group != group) {
      continue;
    }
    for (const auto& v : t->versions) {
      if (v.served && std::find(out.begin(), out.end(), v.name) == out.end()) {
        out.push_back(v.name);
      }
    }
  }
  std::sort(
    out.begin(), out.end(), [](const std::string& a, const std::string& b) { return version_less_preferred(b, a); });
  return out;
}

Json
ApiServer::discovery_versions_core() const
{
  return { { "kind", "APIVersions" },
           { "versions", { "v1" } },
           { "serverAddressByClientCIDRs",
             { { { "clientCIDR", "0.0.0.0/0" }, { "serverAddress", m_server_address } } } } };
}

Json
ApiServer::discovery_group_list() const
{
  std::vector<std::string> groups;
  for (const auto& [key, t] : m_types) {
    if (!t->group.empty() && std::find(groups.begin(), groups.end(), t->group) == groups.end()) {
      groups.push_back(t->group);
    }
  }
  Json list = Json::array();
  for (const auto& g : groups) {
    if (auto doc = discovery_group(g)) {
      doc->erase("kind");
      doc->erase("apiVersion");
      list.push_back(std::move(*doc));
    }
  }
  return { { "kind", "APIGroupList" }, { "apiVersion", "v1" }, { "groups", std::move(list) } };
}

std::optional<Json>
ApiServer::discovery_group(const std::string& group) const
{
  const auto versions = group_versions(group);
  if (versions.empty()) {
    return std::nullopt;
  }
  Json vs = Json::array();
  for (const auto& v : versions) {
    vs.push_back(gv(group, v));
  }
  return Json{ { "kind", "APIGroup" },
               { "apiVersion", "v1" },
               { "name", group },
               { "versions", std::move(vs) },
               { "preferredVersion", gv(group, versions.front()) } };
}

std::optional<Json>
ApiServer::discovery_resources(const std::string& group, const std::string& version) const
{
  Json resources = Json::array();
  bool any = false;
  for (const auto& [key, t] : m_types) {
    if (t->group != group) {
      continue;
    }
    const ResourceVersion* v = t->find_version(version);
    if (v == nullptr || !v->served) {
      continue;
    }
    any = true;
    Json r = { { "name", t->plural },
               { "singularName", t->singular },
               { "namespaced", t->namespaced },
               { "kind", t->kind },
               { "verbs", k_verbs },
               { "storageVersionHash", storage_version_hash(*t) } };
    if (!t->short_names.empty()) {
      r["shortNames"] = string_array(t->short_names);
    }
    if (!t->categories.empty()) {
      r["categories"] = string_array(t->categories);
    }
    resources.push_back(std::move(r));
    if (v->scale) {
      resources.push_back({ { "name", t->plural + "/scale" },
                            { "singularName", "" },
                            { "namespaced", t->namespaced },
                            { "group", "autoscaling" },
                            { "version", "v1" },
                            { "kind", "Scale" },
                            { "verbs", { "get", "patch", "update" } } });
    }
    if (v->status_subresource) {
      resources.push_back({ { "name", t->plural + "/status" },
                            { "singularName", "" },
                            { "namespaced", t->namespaced },
                            { "kind", t->kind },
                            { "verbs", { "get", "patch", "update" } } });
    }
    if (t->group.empty() && t->plural == "pods") {
      resources.push_back({ { "name", "pods/log" },
                            { "singularName", "" },
                            { "namespaced", true },
                            { "kind", "Pod" },
                            { "verbs", { "get" } } });
      // kubectl drain evicts only when discovery names this subresource
      // with its group and version (else it deletes).
      resources.push_back({ { "name", "pods/eviction" },
                            { "singularName", "" },
                            { "namespaced", true },
                            { "group", "policy" },
                            { "version", "v1" },
                            { "kind", "Eviction" },
                            { "verbs", { "create" } } });
    }
    if (t->group.empty() && t->plural == "namespaces") {
      resources.push_back({ { "name", "namespaces/finalize" },
                            { "singularName", "" },
                            { "namespaced", false },
                            { "kind", "Namespace" },
                            { "verbs", { "update" } } });
    }
  }
  if (!any) {
    return std::nullopt;
  }
  return Json{ { "kind", "APIResourceList" },
               { "apiVersion", "v1" },
               { "groupVersion", group.empty() ? version : group + "/" + version },
               { "resources", std::move(resources) } };
}

Json
ApiServer::aggregated_discovery(bool core, const std::string& api_version) const
{
  std::vector<std::string> groups;
  for (const auto& [key, t] : m_types) {
    if ((t->group.empty() == core) && std::find(groups.begin(), groups.end(), t->group) == groups.end()) {
      groups.push_back(t->group);
    }
  }
  Json items = Json::array();
  for (const auto& g : groups) {
    Json versions = Json::array();
    for (const auto& version : group_versions(g)) {
      Json resources = Json::array();
      for (const auto& [key, t] : m_types) {
        if (t->group != g) {
          continue;
        }
        const ResourceVersion* v = t->find_version(version);
        if (v == nullptr || !v->served) {
          continue;
        }
        Json kind = { { "group", g }, { "version", version }, { "kind", t->kind } };
        Json r = { { "resource", t->plural },
                   { "responseKind", kind },
                   { "scope", t->namespaced ? "Namespaced" : "Cluster" },
                   { "singularResource", t->singular },
                   { "verbs", k_verbs } };
        if (!t->short_names.empty()) {
          r["shortNames"] = string_array(t->short_names);
        }
        if (!t->categories.empty()) {
          r["categories"] = string_array(t->categories);
        }
        Json subs = Json::array();
        if (v->scale) {
          subs.push_back({ { "subresource", "scale" },
                           { "responseKind", { { "group", "autoscaling" }, { "version", "v1" }, { "kind", "Scale" } } },
                           { "verbs", { "get", "patch", "update" } } });
        }
        if (v->status_subresource) {
          subs.push_back(
            { { "subresource", "status" }, { "responseKind", kind }, { "verbs", { "get", "patch", "update" } } });
        }
        if (g.empty() && t->plural == "pods") {
          subs.push_back({ { "subresource", "log" }, { "responseKind", kind }, { "verbs", { "get" } } });
          subs.push_back({ { "subresource", "eviction" },
                           { "responseKind", { { "group", "policy" }, { "version", "v1" }, { "kind", "Eviction" } } },
                           { "verbs", { "create" } } });
        }
        if (!subs.empty()) {
          r["subresources"] = std::move(subs);
        }
        resources.push_back(std::move(r));
      }
      versions.push_back({ { "version", version }, { "resources", std::move(resources) }, { "freshness", "Current" } });
    }
    items.push_back(
      { { "metadata", { { "name", g }, { "creationTimestamp", nullptr } } }, { "versions", std::move(versions) } });
  }
  return { { "kind", "APIGroupDiscoveryList" },
           { "apiVersion", api_version },
           { "metadata", Json::object() },
           { "items", std::move(items) } };
}

namespace {

std::string
reversed_group(const std::string& group)
{
  if (group.empty()) {
    return "io.k8s.api.core";
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = group.find('.', start);
    parts.push_back(group.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    out += (out.empty() ? "" : ".") + *it;
  }
  return out;
}

Json
query_param(const std::string& name, const std::string& description)
{
  return {
    { "name", name }, { "in", "query" }, { "description", description }, { "schema", { { "type", "string" } } }
  };
}

} // namespace

Json
ApiServer::openapi_v3_root() const
{
  // Each group-version's hash changes only when its own kinds change, so
  // kubectl's cache keeps the documents of the others.
  std::map<std::string, std::string> gvs;
  for (const auto& [key, t] : m_types) {
    std::string stamp = t->kind;
    if (t->custom()) {
      if (const auto crd = find({ "apiextensions.k8s.io", "customresourcedefinitions", "", t->crd_name })) {
        stamp += "@" + string_at((*crd)["metadata"], "resourceVersion");
      }
    }
    for (const auto& v : t->versions) {
      if (v.served) {
        gvs[t->group.empty() ? "api/" + v.name : "apis/" + t->group + "/" + v.name] += stamp + ";";
      }
    }
  }
  Json paths = Json::object();
  for (const auto& [g, stamps] : gvs) {
    const auto h = std::hash<std::string>{}(g + "#" + stamps);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016zX", h);
    paths[g] = { { "serverRelativeURL", "/openapi/v3/" + g + "?hash=" + buf } };
  }
  return { { "paths", std::move(paths) } };
}

std::optional<Json>
ApiServer::openapi_v3_group_version(const std::string& path) const
{
  std::string group;
  std::string version;
  if (path.rfind("api/", 0) == 0) {
    version = path.substr(4);
  } else if (path.rfind("apis/", 0) == 0) {
    const auto rest = path.substr(5);
    const auto slash = rest.find('/');
    if (slash == std::string::npos) {
      return std::nullopt;
    }
    group = rest.substr(0, slash);
    version = rest.substr(slash + 1);
  } else {
    return std::nullopt;
  }
  Json paths = Json::object();
  Json schemas = Json::object();
  bool any = false;
  for (const auto& [key, t] : m_types) {
    if (t->group != group) {
      continue;
    }
    const ResourceVersion* v = t->find_version(version);
    if (v == nullptr || !v->served) {
      continue;
    }
    any = true;
    const Json gvk = { { "group", group }, { "version", version }, { "kind", t->kind } };
    const std::string schema_name = reversed_group(group) + "." + version + "." + t->kind;
    const std::string prefix = (group.empty() ? "/api/" : "/apis/" + group + "/") + version + "/";
    const std::string item_path = prefix + (t->namespaced ? "namespaces/{namespace}/" : "") + t->plural + "/{name}";
    const Json ref = { { "$ref", "#/components/schemas/" + schema_name } };
    Json body_content = { { "application/apply-patch+yaml", { { "schema", ref } } },
                          { "application/json-patch+json", { { "schema", ref } } },
                          { "application/merge-patch+json", { { "schema", ref } } } };
    paths[item_path] = {
      { "get",
        { { "x-kubernetes-action", "get" },
          { "x-kubernetes-group-version-kind", gvk },
          { "responses",
            { { "200",
                { { "description", "OK" }, { "content", { { "application/json", { { "schema", ref } } } } } } } } } } },
      { "patch",
        { { "x-kubernetes-action", "patch" },
          { "x-kubernetes-group-version-kind", gvk },
          { "parameters",
            { query_param("dryRun", "When present, indicates that modifications should not be persisted."),
              query_param("fieldManager",
                          "fieldManager is a name associated with the actor or entity that is making these changes."),
              query_param("fieldValidation",
                          "fieldValidation instructs the server on how to handle objects in the request containing "
                          "unknown or duplicate fields: Ignore, Warn or Strict."),
              query_param("force", "Force is going to \"force\" Apply requests.") } },
          { "requestBody", { { "content", body_content } } },
          { "responses",
            { { "200",
                { { "description", "OK" }, { "content", { { "application/json", { { "schema", ref } } } } } } } } } } }
    };
    Json schema = { { "type", "object" }, { "x-kubernetes-group-version-kind", Json::array({ gvk }) } };
    if (t->custom()) {
      const auto crd = find({ "apiextensions.k8s.io", "customresourcedefinitions", "", t->crd_name });
      if (crd) {
        for (const auto& cv : (*crd)["spec"]["versions"]) {
          if (string_at(cv, "name") == version) {
            if (const Json* s = child(cv, "schema"); s != nullptr && s->contains("openAPIV3Schema")) {
              schema = (*s)["openAPIV3Schema"];
              schema["x-kubernetes-group-version-kind"] = Json::array({ gvk });
            }
          }
        }
      }
    }
    schemas[schema_name] = std::move(schema);
  }
  if (!any) {
    return std::nullopt;
  }
  return Json{ { "openapi", "3.0.0" },
               { "info", { { "title", "Kubernetes" }, { "version", m_options.version } } },
               { "paths", std::move(paths) },
               { "components", { { "schemas", std::move(schemas) } } } };
}

} // namespace ocne::test::kube
