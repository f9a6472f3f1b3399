#include "tests/component/pkg/clusterctl/fake_cluster.hpp"

#include "pkg/core/strings.hpp"

#include <atomic>

namespace ocne::clusterctl::test {

using nlohmann::json;

namespace {

std::atomic<int> g_clusters{ 0 };

void
status(httplib::Response& res, int code, const std::string& reason, const std::string& message)
{
  res.status = code;
  res.set_content(json({ { "kind", "Status" },
                         { "apiVersion", "v1" },
                         { "status", "Failure" },
                         { "message", message },
                         { "reason", reason },
                         { "code", code } })
                    .dump(),
                  "application/json");
}

std::string
api_version_of(const FakeType& t)
{
  return t.group.empty() ? t.version : t.group + "/" + t.version;
}

bool
matches(const json& object, const std::string& selector)
{
  for (const auto& term : str::split_trimmed(selector, ',')) {
    const auto eq = term.find('=');
    const auto labels = object["metadata"].value("labels", json::object());
    if (eq == std::string::npos) {
      if (!labels.contains(term)) {
        return false;
      }
    } else if (labels.value(term.substr(0, eq), std::string("\x01")) != term.substr(eq + 1)) {
      return false;
    }
  }
  return true;
}

} // namespace

FakeCluster::FakeCluster() : m_uid_prefix("c" + std::to_string(++g_clusters) + "-")
{
  add_type({ "", "v1", "Namespace", "namespaces", false, true });
  add_type({ "", "v1", "Secret", "secrets", true, false });
  add_type({ "", "v1", "ConfigMap", "configmaps", true, false });
  add_type({ "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, true });
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  auto& r = m_server.routes();
  // Without it every answer waits out the client's delayed ACK (40 ms).
  r.set_tcp_nodelay(true);
  r.Get(R"(/api.*)", handler);
  r.Post(R"(/api.*)", handler);
  r.Put(R"(/api.*)", handler);
  r.Patch(R"(/api.*)", handler);
  r.Delete(R"(/api.*)", handler);
}

FakeCluster::~FakeCluster()
{
  m_server.stop();
}

void
FakeCluster::add_type(FakeType type)
{
  const std::lock_guard lock(m_mutex);
  m_types.push_back(std::move(type));
}

void
FakeCluster::start()
{
  m_server.start();
}

void
FakeCluster::on_request(std::function<void(const std::string& method, const std::string& path)> hook)
{
  m_on_request = std::move(hook);
}

ocne::test::FaultInjector&
FakeCluster::faults()
{
  return m_server.faults();
}

k8s::ClusterAccess
FakeCluster::access(const std::string& context) const
{
  k8s::ClusterAccess a;
  a.server = m_server.url();
  a.context = context;
  return a;
}

std::string
FakeCluster::key(const FakeType& t, const std::string& ns, const std::string& name)
{
  return t.group + "/" + t.plural + "/" + (t.namespaced ? ns : "") + "/" + name;
}

std::optional<FakeType>
FakeCluster::find_type(const std::string& group, const std::string& version, const std::string& plural) const
{
  for (const auto& t : m_types) {
    if (t.group == group && t.version == version && t.plural == plural) {
      return t;
    }
  }
  return std::nullopt;
}

std::optional<FakeType>
FakeCluster::find_kind(const std::string& group, const std::string& kind) const
{
  for (const auto& t : m_types) {
    if (t.group == group && t.kind == kind) {
      return t;
    }
  }
  return std::nullopt;
}

json
FakeCluster::store_new(json object, const FakeType& type)
{
  auto& meta = object["metadata"];
  meta["uid"] = m_uid_prefix + std::to_string(++m_uid);
  meta["resourceVersion"] = std::to_string(++m_version);
  meta["creationTimestamp"] = "2026-11-21T10:00:00Z";
  meta["generation"] = 1;
  if (!type.namespaced) {
    meta.erase("namespace");
  }
  object["apiVersion"] = api_version_of(type);
  object["kind"] = type.kind;
  if (type.status) {
    object.erase("status");
  }
  if (type.kind == "CustomResourceDefinition") {
    // Register the served versions; Established at once.
    for (const auto& v : object["spec"]["versions"]) {
      m_types.push_back({ object["spec"]["group"],
                          v["name"],
                          object["spec"]["names"]["kind"],
                          object["spec"]["names"]["plural"],
                          object["spec"].value("scope", "Namespaced") == "Namespaced",
                          true });
    }
    object["status"] = { { "conditions", { { { "type", "Established" }, { "status", "True" } } } } };
  }
  m_objects[key(type, meta.value("namespace", ""), meta["name"])] = object;
  return object;
}

json
FakeCluster::create(json object)
{
  const std::lock_guard lock(m_mutex);
  const auto av = object["apiVersion"].get<std::string>();
  const auto group = av.find('/') == std::string::npos ? std::string() : av.substr(0, av.find('/'));
  auto type = find_kind(group, object["kind"]);
  if (!type) {
    throw std::runtime_error("fake cluster: unknown kind " + object["kind"].get<std::string>());
  }
  const auto st = object.contains("status") ? object["status"] : json();
  auto stored = store_new(object, *type);
  if (!st.is_null() && type->status && type->kind != "CustomResourceDefinition") {
    stored["status"] = st;
    m_objects[key(*type, stored["metadata"].value("namespace", ""), stored["metadata"]["name"])] = stored;
  }
  return stored;
}

void
FakeCluster::set_status(const std::string& api_version,
                        const std::string& kind,
                        const std::string& ns,
                        const std::string& name,
                        const json& st)
{
  const std::lock_guard lock(m_mutex);
  const auto group =
    api_version.find('/') == std::string::npos ? std::string() : api_version.substr(0, api_version.find('/'));
  auto type = find_kind(group, kind);
  auto& o = m_objects.at(key(*type, ns, name));
  o["status"] = st;
  o["metadata"]["resourceVersion"] = std::to_string(++m_version);
}

void
FakeCluster::patch(const std::string& api_version,
                   const std::string& kind,
                   const std::string& ns,
                   const std::string& name,
                   const json& patch)
{
  const std::lock_guard lock(m_mutex);
  const auto group =
    api_version.find('/') == std::string::npos ? std::string() : api_version.substr(0, api_version.find('/'));
  auto type = find_kind(group, kind);
  auto& o = m_objects.at(key(*type, ns, name));
  o.merge_patch(patch);
  o["metadata"]["resourceVersion"] = std::to_string(++m_version);
}

std::optional<json>
FakeCluster::get(const std::string& api_version,
                 const std::string& kind,
                 const std::string& ns,
                 const std::string& name) const
{
  const std::lock_guard lock(m_mutex);
  const auto group =
    api_version.find('/') == std::string::npos ? std::string() : api_version.substr(0, api_version.find('/'));
  auto type = find_kind(group, kind);
  if (!type) {
    return std::nullopt;
  }
  const auto it = m_objects.find(key(*type, ns, name));
  if (it == m_objects.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<json>
FakeCluster::list(const std::string& api_version, const std::string& kind, const std::string& ns) const
{
  const std::lock_guard lock(m_mutex);
  const auto group =
    api_version.find('/') == std::string::npos ? std::string() : api_version.substr(0, api_version.find('/'));
  std::vector<json> out;
  auto type = find_kind(group, kind);
  if (!type) {
    return out;
  }
  const auto prefix = key(*type, ns, "");
  for (const auto& [k, o] : m_objects) {
    if (k.rfind(prefix, 0) == 0) {
      out.push_back(o);
    }
  }
  return out;
}

void
FakeCluster::handle(const httplib::Request& req, httplib::Response& res)
{
  if (m_on_request) {
    m_on_request(req.method, req.path);
  }
  auto parts = str::split(req.path, '/');
  parts.erase(parts.begin()); // leading ""
  std::string group;
  std::string version;
  std::size_t i = 0;
  if (parts[0] == "api") {
    version = parts.size() > 1 ? parts[1] : "";
    i = 2;
  } else {
    group = parts.size() > 1 ? parts[1] : "";
    version = parts.size() > 2 ? parts[2] : "";
    i = 3;
  }
  const std::lock_guard lock(m_mutex);
  std::vector<std::string> rest(parts.begin() + static_cast<long>(std::min(i, parts.size())), parts.end());
  if (rest.empty()) {
    json resources = json::array();
    bool any = false;
    for (const auto& t : m_types) {
      if (t.group == group && t.version == version) {
        any = true;
        resources.push_back({ { "name", t.plural }, { "kind", t.kind }, { "namespaced", t.namespaced } });
        if (t.status) {
          resources.push_back({ { "name", t.plural + "/status" }, { "kind", t.kind }, { "namespaced", t.namespaced } });
        }
      }
    }
    if (!any) {
      status(res, 404, "NotFound", "the server could not find the requested resource");
      return;
    }
    res.set_content(json({ { "kind", "APIResourceList" }, { "resources", resources } }).dump(), "application/json");
    return;
  }
  std::string ns;
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  const auto type = find_type(group, version, rest[0]);
  if (!type) {
    status(res, 404, "NotFound", "the server could not find the requested resource");
    return;
  }
  const std::string name = rest.size() > 1 ? rest[1] : "";
  const std::string sub = rest.size() > 2 ? rest[2] : "";
  const auto k = key(*type, ns, name);
  const auto what = type->plural + (group.empty() ? "" : "." + group) + " \"" + name + "\"";
  // Objects are served in the version asked for, as the API does.
  auto reply = [&](json o, int code = 200) {
    if (o.contains("apiVersion") && o.value("kind", "") == type->kind) {
      o["apiVersion"] = api_version_of(*type);
    }
    res.status = code;
    res.set_content(o.dump(), "application/json");
  };

  if (req.method == "GET" && name.empty()) {
    json items = json::array();
    const auto prefix = ns.empty() ? type->group + "/" + type->plural + "/" : key(*type, ns, "");
    const auto selector = req.get_param_value("labelSelector");
    for (const auto& [kk, o] : m_objects) {
      if (kk.rfind(prefix, 0) == 0 && o.value("kind", "") == type->kind && matches(o, selector)) {
        items.push_back(o);
        items.back()["apiVersion"] = api_version_of(*type);
      }
    }
    reply({ { "kind", type->kind + "List" },
            { "metadata", { { "resourceVersion", std::to_string(m_version) } } },
            { "items", items } });
    return;
  }
  if (req.method == "POST") {
    auto object = json::parse(req.body);
    const auto n = object["metadata"].value("name", "");
    const auto kk = key(*type, ns, n);
    if (m_objects.count(kk) > 0) {
      status(res, 409, "AlreadyExists", type->plural + " \"" + n + "\" already exists");
      return;
    }
    if (type->namespaced && !ns.empty() && m_objects.count(key(*find_kind("", "Namespace"), "", ns)) == 0) {
      status(res, 404, "NotFound", "namespaces \"" + ns + "\" not found");
      return;
    }
    reply(store_new(object, *type), 201);
    return;
  }
  const auto it = m_objects.find(k);
  if (it == m_objects.end()) {
    if (req.method == "PATCH" && req.get_header_value("Content-Type") == "application/apply-patch+yaml") {
      reply(store_new(json::parse(req.body), *type), 201);
      return;
    }
    status(res, 404, "NotFound", what + " not found");
    return;
  }
  json& current = it->second;
  if (req.method == "GET") {
    reply(current);
    return;
  }
  if (req.method == "PUT") {
    auto object = json::parse(req.body);
    if (object["metadata"].value("resourceVersion", "") != current["metadata"]["resourceVersion"]) {
      status(res, 409, "Conflict", "Operation cannot be fulfilled on " + what + ": the object has been modified");
      return;
    }
    object["metadata"]["uid"] = current["metadata"]["uid"];
    object["metadata"]["resourceVersion"] = std::to_string(++m_version);
    if (type->status) {
      object["status"] = current.value("status", json::object());
    }
    current = object;
    reply(current);
    return;
  }
  if (req.method == "PATCH") {
    auto patch = json::parse(req.body);
    if (sub == "status") {
      json st = current.value("status", json::object());
      st.merge_patch(patch.value("status", json::object()));
      current["status"] = st;
    } else {
      if (type->status) {
        patch.erase("status");
      }
      current.merge_patch(patch);
    }
    current["metadata"]["resourceVersion"] = std::to_string(++m_version);
    const auto& meta = current["metadata"];
    if (meta.contains("deletionTimestamp") && meta.value("finalizers", json::array()).empty()) {
      const auto copy = current;
      m_objects.erase(it);
      reply(copy);
      return;
    }
    reply(current);
    return;
  }
  if (req.method == "DELETE") {
    if (!current["metadata"].value("finalizers", json::array()).empty()) {
      current["metadata"]["deletionTimestamp"] = "2026-11-21T10:00:00Z";
      reply(current);
      return;
    }
    const auto copy = current;
    m_objects.erase(it);
    reply(copy);
    return;
  }
  status(res, 405, "MethodNotAllowed", "method not allowed");
}

} // namespace ocne::clusterctl::test
