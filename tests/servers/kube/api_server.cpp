// Routing, authentication, faults and replies; the hook worker.

#include "tests/servers/kube/api_server.hpp"

#include <algorithm>
#include <iostream>

namespace ocne::test::kube {

std::string
Call::param(const std::string& key) const
{
  const auto it = query.find(key);
  return it == query.end() ? std::string() : it->second;
}

bool
Call::flag(const std::string& key) const
{
  const auto v = param(key);
  return v == "true" || v == "1" || v == "True";
}

ApiServer::ApiServer(const ServerOptions& options) : m_options(options)
{
  for (auto& t : builtin_types()) {
    m_builtin.insert({ t->group, t->plural });
    m_types[{ t->group, t->plural }] = t;
  }
  // The namespaces every cluster starts with.
  const auto ns_type = type_by_plural("", "namespaces");
  for (const char* ns : { "default", "kube-system", "kube-public", "kube-node-lease" }) {
    Json obj = { { "apiVersion", "v1" },
                 { "kind", "Namespace" },
                 { "metadata",
                   { { "name", ns },
                     { "uid", new_uid() },
                     { "creationTimestamp", rfc3339_now() },
                     { "labels", { { "kubernetes.io/metadata.name", ns } } } } },
                 { "spec", { { "finalizers", { "kubernetes" } } } },
                 { "status", { { "phase", "Active" } } } };
    commit(*ns_type, { "", "namespaces", "", ns }, std::move(obj), "ADDED");
  }
}

ApiServer::~ApiServer()
{
  stop_workers();
}

void
ApiServer::set_server_address(const std::string& host_port)
{
  const std::lock_guard lock(m_mutex);
  m_server_address = host_port;
}

std::string
ApiServer::now() const
{
  return rfc3339_now();
}

std::vector<std::string>
split_path(const std::string& path)
{
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string::npos ? path.size() : slash;
    if (end > start) {
      parts.push_back(path.substr(start, end - start));
    }
    start = end + 1;
  }
  return parts;
}

namespace {

const char*
fault_reason(int status)
{
  switch (status) {
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    default:
      return "";
  }
}

void
json_reply(HttpResponse& res, int status, const Json& body)
{
  res.status = status;
  res.body = body.dump();
  res.set_header("Content-Type", "application/json");
}

void
error_reply(HttpResponse& res, const ApiError& e)
{
  res.status = e.code();
  res.body = e.status_json();
  res.set_header("Content-Type", "application/json");
  if (e.retry_after()) {
    res.set_header("Retry-After", std::to_string(*e.retry_after()));
  }
}

ApiError
not_found_generic()
{
  ApiError e(404, "NotFound", "the server could not find the requested resource");
  e.with_details("", "", "");
  return e;
}

} // namespace

void
ApiServer::handle(const HttpRequest& req, HttpResponse& res)
{
  // Faults come first: they stand for the network or the server failing.
  std::optional<Fault> fault = m_faults.pick(req.method, req.path);
  if (fault && fault->kind == Fault::Kind::slow) {
    std::this_thread::sleep_for(fault->delay);
    fault.reset();
  }
  std::string user;
  auto record = [&] {
    {
      const std::lock_guard lock(m_requests_mutex);
      m_requests.push_back({ req.method, req.target, res.status, user });
    }
    if (m_options.log) {
      m_options.log(req.method + " " + req.target + " " + std::to_string(res.status));
    }
  };
  if (fault && fault->kind == Fault::Kind::reset) {
    res.abort = HttpResponse::Abort::reset;
    res.status = 0;
    record();
    return;
  }
  if (fault && fault->kind == Fault::Kind::status) {
    ApiError e(fault->status, fault_reason(fault->status), fault->message);
    if (fault->retry_after >= 0) {
      e.with_retry_after(fault->retry_after);
    }
    error_reply(res, e);
    res.close = true;
    record();
    return;
  }

  // Authentication: a verified client certificate, or a known bearer token.
  const std::string auth = req.header("authorization");
  bool authenticated = false;
  if (req.client_verified) {
    user = req.client_cn;
    authenticated = true;
  } else if (auth.rfind("Bearer ", 0) == 0) {
    const std::string token = auth.substr(7);
    for (const auto& t : m_options.tokens) {
      if (!t.empty() && t == token) {
        user = "token-admin";
        authenticated = true;
      }
    }
    if (!authenticated) {
      error_reply(res, err_unauthorized());
      record();
      return;
    }
  }
  const bool public_path =
    req.path == "/version" || req.path == "/healthz" || req.path == "/livez" || req.path == "/readyz";
  if (!authenticated && !m_options.allow_anonymous && !public_path) {
    error_reply(res, err_unauthorized());
    record();
    return;
  }

  try {
    if (!handle_pod_log(req, res) && !handle_pod_exec(req, res) && !handle_pod_eviction(req, res) &&
        !handle_non_resource(req, res, user)) {
      bool found = false;
      Call c = parse_resource_call(req, found);
      if (!found) {
        throw not_found_generic();
      }
      Reply reply = call(c);
      send_reply(req, res, reply);
    }
  } catch (const ApiError& e) {
    error_reply(res, e);
  } catch (const std::exception& e) {
    error_reply(res, err_internal(e.what()));
  }
  if (fault && fault->kind == Fault::Kind::drop_mid_body) {
    if (res.stream) {
      res.stream = [](StreamWriter& w) { w.abort(); };
    } else {
      res.abort = HttpResponse::Abort::drop_mid_body;
    }
  }
  record();
}

bool
ApiServer::handle_non_resource(const HttpRequest& req, HttpResponse& res, const std::string& user)
{
  (void)user;
  const std::string& path = req.path;
  const auto parts = split_path(path);
  if (req.method != "GET" && req.method != "HEAD") {
    // Only resource paths take writes.
    if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis") || (parts[0] == "apis" && parts.size() < 4)) {
      if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) {
        throw not_found_generic();
      }
      throw err_method_not_allowed("the server does not allow this method on the requested resource");
    }
    return false;
  }
  if (path == "/version" || path == "/version/") {
    std::string v = m_options.version;
    std::string major = "1";
    std::string minor = "32";
    if (v.size() > 1 && v[0] == 'v') {
      const auto dot1 = v.find('.');
      const auto dot2 = v.find('.', dot1 + 1);
      major = v.substr(1, dot1 - 1);
      minor = v.substr(dot1 + 1, dot2 == std::string::npos ? std::string::npos : dot2 - dot1 - 1);
    }
    json_reply(res,
               200,
               { { "major", major },
                 { "minor", minor },
                 { "gitVersion", v },
                 { "gitCommit", "0000000000000000000000000000000000000000" },
                 { "gitTreeState", "clean" },
                 { "buildDate", "2025-04-22T00:00:00Z" },
                 { "goVersion", "go1.23.8" },
                 { "compiler", "gc" },
                 { "platform", "linux/amd64" } });
    return true;
  }
  if (path == "/healthz" || path == "/livez" || path == "/readyz") {
    res.status = 200;
    res.body = "ok";
    res.set_header("Content-Type", "text/plain; charset=utf-8");
    return true;
  }
  const std::string accept = req.header("accept");
  const bool aggregated_v2 = accept.find("g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList") != std::string::npos;
  const bool aggregated_v2beta1 =
    accept.find("g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList") != std::string::npos;
  const std::lock_guard lock(m_mutex);
  if (path == "/api" || path == "/api/" || path == "/apis" || path == "/apis/") {
    const bool core = parts[0] == "api";
    if (aggregated_v2 || aggregated_v2beta1) {
      const std::string av = aggregated_v2 ? "apidiscovery.k8s.io/v2" : "apidiscovery.k8s.io/v2beta1";
      res.status = 200;
      res.body = aggregated_discovery(core, av).dump();
      res.set_header("Content-Type",
                     std::string("application/json;g=apidiscovery.k8s.io;v=") + (aggregated_v2 ? "v2" : "v2beta1") +
                       ";as=APIGroupDiscoveryList");
      res.set_header("Vary", "Accept");
      return true;
    }
    json_reply(res, 200, core ? discovery_versions_core() : discovery_group_list());
    return true;
  }
  if (parts.size() == 2 && parts[0] == "api") {
    if (auto doc = discovery_resources("", parts[1])) {
      json_reply(res, 200, *doc);
      return true;
    }
    throw not_found_generic();
  }
  if (parts.size() == 2 && parts[0] == "apis") {
    if (auto doc = discovery_group(parts[1])) {
      json_reply(res, 200, *doc);
      return true;
    }
    throw not_found_generic();
  }
  if (parts.size() == 3 && parts[0] == "apis") {
    if (auto doc = discovery_resources(parts[1], parts[2])) {
      json_reply(res, 200, *doc);
      return true;
    }
    throw not_found_generic();
  }
  if (!parts.empty() && parts[0] == "openapi") {
    if (parts.size() == 2 && parts[1] == "v2") {
      // A document without paths or definitions: kubectl then validates
      // kinds it cannot find there with nothing (as for CRDs without a
      // schema) and takes patch strategies from its built-in types.
      if (accept.find("protobuf") != std::string::npos) {
        res.status = 200;
        res.body = std::string("\x0a\x03"
                               "2.0",
                               5); // openapi_v2.Document{swagger: "2.0"}
        res.set_header("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
        return true;
      }
      json_reply(res,
                 200,
                 { { "swagger", "2.0" },
                   { "info", { { "title", "Kubernetes" }, { "version", m_options.version } } },
                   { "paths", Json::object() },
                   { "definitions", Json::object() } });
      return true;
    }
    if (parts.size() == 2 && parts[1] == "v3") {
      json_reply(res, 200, openapi_v3_root());
      return true;
    }
    if (parts.size() > 2 && parts[1] == "v3") {
      const std::string gv = path.substr(std::string("/openapi/v3/").size());
      if (auto doc = openapi_v3_group_version(gv)) {
        json_reply(res, 200, *doc);
        res.set_header("Cache-Control", "public, immutable");
        return true;
      }
    }
    throw not_found_generic();
  }
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) {
    throw not_found_generic();
  }
  return false;
}

Call
ApiServer::parse_resource_call(const HttpRequest& req, bool& found)
{
  found = false;
  Call c;
  const auto parts = split_path(req.path);
  std::size_t i = 0;
  std::string group;
  if (parts.size() >= 2 && parts[0] == "api") {
    c.version = parts[1];
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    group = parts[1];
    c.version = parts[2];
    i = 3;
  } else {
    return c;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
  bool legacy_watch = false;
  if (!rest.empty() && rest[0] == "watch") {
    legacy_watch = true;
    rest.erase(rest.begin());
  }
  if (rest.empty()) {
    return c;
  }
  std::string resource;
  if (rest[0] == "namespaces" && rest.size() > 1) {
    c.ns = rest[1];
    if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") {
      rest.erase(rest.begin(), rest.begin() + 2);
    } else {
      // The namespace object itself: /api/v1/namespaces/<name>[/status]
      resource = "namespaces";
      c.name = rest[1];
      c.ns.clear();
      if (rest.size() > 2) {
        c.subresource = rest[2];
      }
      if (rest.size() > 3) {
        return c;
      }
      rest.clear();
    }
  }
  if (resource.empty()) {
    resource = rest[0];
    if (rest.size() > 1) {
      c.name = rest[1];
    }
    if (rest.size() > 2) {
      c.subresource = rest[2];
    }
    if (rest.size() > 3) {
      return c;
    }
  }
  {
    const std::lock_guard lock(m_mutex);
    c.type = type_by_plural(group, resource);
  }
  if (!c.type) {
    return c;
  }
  const ResourceVersion* v = c.type->find_version(c.version);
  if (v == nullptr || !v->served) {
    return c;
  }
  if (!c.type->namespaced && !c.ns.empty()) {
    return c;
  }
  if (!c.subresource.empty()) {
    const bool ok = (c.subresource == "status" && v->status_subresource) ||
                    (c.subresource == "finalize" && c.type->plural == "namespaces") ||
                    (c.subresource == "scale" && v->scale.has_value());
    if (!ok || c.name.empty()) {
      return c;
    }
  }
  for (const auto& [k, val] : req.query) {
    c.query[k] = val;
  }
  c.body = req.body;
  c.content_type = req.header("content-type");
  c.user_agent = req.header("user-agent");
  const std::string accept = req.header("accept");
  c.table = accept.find("as=Table") != std::string::npos;
  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") {
    if (legacy_watch || c.flag("watch")) {
      c.verb = "watch";
    } else {
      c.verb = c.name.empty() ? "list" : "get";
    }
  } else if (m == "POST") {
    c.verb = "create";
  } else if (m == "PUT") {
    c.verb = "update";
  } else if (m == "PATCH") {
    c.verb = "patch";
  } else if (m == "DELETE") {
    c.verb = c.name.empty() ? "deletecollection" : "delete";
  } else {
    throw err_method_not_allowed("the server does not allow this method on the requested resource");
  }
  if ((c.verb == "create" && !c.name.empty() && c.subresource.empty()) ||
      ((c.verb == "update" || c.verb == "patch") && c.name.empty())) {
    throw err_method_not_allowed("the server does not allow this method on the requested resource");
  }
  found = true;
  return c;
}

void
ApiServer::send_reply(const HttpRequest& req, HttpResponse& res, Reply& reply)
{
  (void)req;
  res.status = reply.status;
  res.set_header("Content-Type", "application/json");
  for (const auto& w : reply.warnings) {
    res.headers.emplace_back("Warning", "299 - " + go_quote(w));
  }
  if (reply.stream) {
    res.stream = std::move(reply.stream);
    return;
  }
  res.body = reply.body.dump();
}

Reply
ApiServer::call(Call& c)
{
  if (c.verb == "watch") {
    return do_watch(c);
  }
  const std::lock_guard lock(m_mutex);
  if (c.verb == "get") {
    return do_get(c);
  }
  if (c.verb == "list") {
    return do_list(c);
  }
  if (c.verb == "create") {
    return do_create(c);
  }
  if (c.verb == "update") {
    return do_update(c);
  }
  if (c.verb == "patch") {
    return do_patch(c);
  }
  if (c.verb == "delete") {
    return do_delete(c);
  }
  if (c.verb == "deletecollection") {
    return do_delete_collection(c);
  }
  throw err_method_not_allowed("the server does not allow this method on the requested resource");
}

std::pair<ResourceTypePtr, std::string>
ApiServer::type_for(const std::string& api_version, const std::string& kind) const
{
  const auto slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  const std::lock_guard lock(m_mutex);
  auto t = type_by_kind(group, kind);
  if (!t) {
    throw ApiError(404,
                   "NotFound",
                   "the server could not find the requested resource (no kind " + go_quote(kind) +
                     " is registered for version " + go_quote(api_version) + ")");
  }
  const ResourceVersion* v = t->find_version(version);
  if (v == nullptr || !v->served) {
    throw ApiError(404, "NotFound", "the server could not find the requested resource (version " + api_version + ")");
  }
  return { t, version };
}

void
ApiServer::disconnect_watches(bool abrupt)
{
  const std::lock_guard lock(m_mutex);
  for (const auto& w : m_watchers) {
    const std::lock_guard wl(w->mutex);
    w->closed = true;
    w->abrupt = abrupt;
    w->cv.notify_all();
  }
  // Their streams end on their own threads; forget them now so that
  // open_watches() counts only watches a client opened after this call.
  m_watchers.clear();
}

void
ApiServer::compact()
{
  const std::lock_guard lock(m_mutex);
  m_compacted = m_rv;
  m_history.clear();
}

std::uint64_t
ApiServer::resource_version() const
{
  const std::lock_guard lock(m_mutex);
  return m_rv;
}

int
ApiServer::open_watches() const
{
  const std::lock_guard lock(m_mutex);
  return static_cast<int>(m_watchers.size());
}

std::vector<RequestRecord>
ApiServer::requests() const
{
  const std::lock_guard lock(m_requests_mutex);
  return m_requests;
}

std::vector<std::string>
ApiServer::unchecked_rules() const
{
  const std::lock_guard lock(m_mutex);
  std::vector<std::string> out;
  for (const auto& [key, type] : m_types) {
    out.insert(out.end(), type->unchecked_rules.begin(), type->unchecked_rules.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void
ApiServer::clear_requests()
{
  const std::lock_guard lock(m_requests_mutex);
  m_requests.clear();
}

// ---- hooks and delayed work -------------------------------------------------

int
ApiServer::add_hook(HookFilter filter, Hook hook)
{
  const std::lock_guard lock(m_work_mutex);
  const int id = m_next_hook++;
  m_hooks.push_back({ id, std::move(filter), std::move(hook) });
  return id;
}

void
ApiServer::remove_hook(int id)
{
  const std::lock_guard lock(m_work_mutex);
  std::erase_if(m_hooks, [&](const HookEntry& h) { return h.id == id; });
}

void
ApiServer::queue_hooks(const HistoryEvent& e)
{
  std::vector<std::pair<Hook, std::chrono::milliseconds>> matched;
  {
    const std::lock_guard lock(m_work_mutex);
    if (m_owner == nullptr) {
      return;
    }
    const auto type = type_by_plural(e.key.group, e.key.plural);
    for (const auto& h : m_hooks) {
      if (!h.filter.group.empty() && h.filter.group != e.key.group) {
        continue;
      }
      if (!h.filter.kind.empty() && (!type || type->kind != h.filter.kind)) {
        continue;
      }
      const bool wanted = (e.type == "ADDED" && h.filter.added) || (e.type == "MODIFIED" && h.filter.modified) ||
                          (e.type == "DELETED" && h.filter.deleted);
      if (wanted) {
        matched.emplace_back(h.hook, h.filter.delay);
      }
    }
  }
  for (auto& [hook, delay] : matched) {
    ObjectEvent ev{ e.type, e.object, e.previous };
    KubeTestServer* owner = m_owner;
    schedule(delay, [hook, ev, owner] { hook(*owner, ev); });
  }
}

void
ApiServer::schedule(std::chrono::milliseconds delay, std::function<void()> run)
{
  const std::lock_guard lock(m_work_mutex);
  m_tasks.push_back({ std::chrono::steady_clock::now() + delay, m_task_seq++, std::move(run) });
  m_work_cv.notify_all();
}

void
ApiServer::start_workers(KubeTestServer* owner)
{
  const std::lock_guard lock(m_work_mutex);
  m_owner = owner;
  m_stop_worker = false;
  if (!m_worker.joinable()) {
    m_worker = std::thread([this] { worker_loop(); });
  }
}

void
ApiServer::stop_workers()
{
  {
    const std::lock_guard lock(m_work_mutex);
    m_stop_worker = true;
    m_work_cv.notify_all();
  }
  if (m_worker.joinable()) {
    m_worker.join();
  }
}

void
ApiServer::worker_loop()
{
  std::unique_lock lock(m_work_mutex);
  while (!m_stop_worker) {
    if (m_tasks.empty()) {
      m_work_cv.wait(lock);
      continue;
    }
    auto next = std::min_element(m_tasks.begin(), m_tasks.end(), [](const Task& a, const Task& b) {
      return a.when != b.when ? a.when < b.when : a.seq < b.seq;
    });
    if (next->when > std::chrono::steady_clock::now()) {
      // A copy: tasks scheduled while this waits may move the vector.
      const auto when = next->when;
      m_work_cv.wait_until(lock, when);
      continue;
    }
    auto run = std::move(next->run);
    m_tasks.erase(next);
    ++m_running_tasks;
    lock.unlock();
    try {
      run();
    } catch (const std::exception& e) {
      std::cerr << "kube test server: a hook failed: " << e.what() << "\n";
    }
    lock.lock();
    --m_running_tasks;
    m_work_cv.notify_all();
  }
}

void
ApiServer::wait_idle(std::chrono::milliseconds timeout)
{
  std::unique_lock lock(m_work_mutex);
  const bool idle = m_work_cv.wait_for(lock, timeout, [&] { return m_tasks.empty() && m_running_tasks == 0; });
  if (!idle) {
    throw std::runtime_error("kube test server: hooks still running after the timeout");
  }
}

} // namespace ocne::test::kube
