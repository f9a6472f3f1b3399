#include "pkg/k8s/client.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/http/transport.hpp"
#include "pkg/http/url.hpp"
#include "pkg/k8s/api_error.hpp"
#include "pkg/k8s/base64.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <set>

namespace ocne::k8s {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

http::TransportOptions
transport_options(const ClusterAccess& access, const ClientOptions& options)
{
  http::TransportOptions t;
  t.tls.ca_pem = access.ca_pem;
  t.tls.client_cert_pem = access.client_cert_pem;
  t.tls.client_key_pem = access.client_key_pem;
  t.tls.insecure_skip_verify = access.insecure_skip_tls_verify;
  t.retry = options.retry;
  t.connect_timeout = options.connect_timeout;
  t.log_name = "kube";
  return t;
}

std::string
api_prefix(const GroupVersionKind& gvk)
{
  return gvk.group.empty() ? "/api/" + gvk.version : "/apis/" + gvk.group + "/" + gvk.version;
}

std::string
collection_path(const ResourceMapping& m, std::string_view ns)
{
  std::string path = api_prefix(m.gvk);
  if (m.namespaced && !ns.empty()) {
    path += "/namespaces/" + http::url_encode(ns);
  }
  return path + "/" + m.resource;
}

std::string
object_path(const ResourceMapping& m, std::string_view ns, std::string_view name)
{
  return collection_path(m, ns) + "/" + http::url_encode(name);
}

const char*
content_type(PatchType type)
{
  switch (type) {
    case PatchType::merge:
      return "application/merge-patch+json";
    case PatchType::json:
      return "application/json-patch+json";
    case PatchType::strategic:
      return "application/strategic-merge-patch+json";
    case PatchType::apply:
      return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

const char*
propagation_name(Propagation p)
{
  switch (p) {
    case Propagation::background:
      return "Background";
    case Propagation::foreground:
      return "Foreground";
    case Propagation::orphan:
      return "Orphan";
  }
  return "Background";
}

Result<json>
parse_body(const http::Response& response, std::string_view what)
{
  try {
    return json::parse(response.body);
  } catch (const json::exception& e) {
    return make_error(ErrorKind::internal, "{}: the server answered with invalid JSON: {}", what, e.what());
  }
}

// Fills in apiVersion and kind, which list items lack.
void
complete_item(json& item, const GroupVersionKind& gvk)
{
  if (!item.contains("apiVersion")) {
    item["apiVersion"] = gvk.api_version();
  }
  if (!item.contains("kind")) {
    item["kind"] = gvk.kind;
  }
}

// Objects sent to the server must be mappings with a type and a name.
Status
check_object(const json& object, std::string_view verb)
{
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) {
    return make_error(ErrorKind::invalid_input, "cannot {} an object without metadata", verb);
  }
  if (string_at(object, "/apiVersion").empty() || string_at(object, "/kind").empty()) {
    return make_error(ErrorKind::invalid_input,
                      "cannot {} {}: apiVersion and kind are required",
                      verb,
                      str::quote(string_at(object, "/metadata/name")));
  }
  if (string_at(object, "/metadata/name").empty() &&
      (verb != "create" || string_at(object, "/metadata/generateName").empty())) {
    return make_error(
      ErrorKind::invalid_input, "cannot {} a {} without metadata.name", verb, string_at(object, "/kind"));
  }
  return {};
}

struct GroupVersionEntry
{
  bool served = false;
  std::vector<ResourceMapping> resources;
};

std::string
object_key(const json& object)
{
  return string_at(object, "/metadata/namespace") + "/" + string_at(object, "/metadata/name");
}

} // namespace

struct Client::Impl
{
  ClusterAccess access;
  ClientOptions options;
  http::Transport transport;
  std::mutex discovery_mutex;
  std::map<std::string, GroupVersionEntry> discovery;

  Impl(ClusterAccess a, ClientOptions o)
    : access(std::move(a)), options(std::move(o)), transport(transport_options(access, options))
  {
  }

  std::string
  describe() const
  {
    if (access.context.empty()) {
      return access.server;
    }
    return fmt::format("context {} ({})", json(access.context).dump(), access.server);
  }

  std::string
  where() const
  {
    if (access.file.empty()) {
      return fmt::format("server {}", access.server);
    }
    return fmt::format("kubeconfig {}, context {}", access.file.string(), json(access.context).dump());
  }

  void
  authorize(http::Request& request) const
  {
    if (!access.token.empty()) {
      request.headers.set("Authorization", "Bearer " + access.token.reveal());
    } else if (!access.username.empty()) {
      request.headers.set("Authorization", "Basic " + base64_encode(access.username + ":" + access.password.reveal()));
    }
  }

  // Sends a request; transport failures name the kubeconfig and context.
  Result<http::Response>
  send(http::Request request, std::string_view what) const
  {
    request.url = access.server + request.url;
    if (!request.headers.has("Accept")) {
      request.headers.set("Accept", "application/json");
    }
    authorize(request);
    if (request.timeout.count() == 0 && !request.on_body) {
      request.timeout = options.request_timeout;
    }
    auto response = transport.send(std::move(request));
    if (!response) {
      return make_error(response.error().kind(), "{}: {} ({})", what, response.error().message(), where());
    }
    return response;
  }

  Result<json>
  call(http::Request request, std::string_view what) const
  {
    OCNE_TRY_ASSIGN(auto response, send(std::move(request), what));
    if (!response.ok()) {
      return make_error(api_error(response, what));
    }
    return parse_body(response, what);
  }

  Result<GroupVersionEntry>
  fetch_group_version(const GroupVersionKind& gvk) const
  {
    http::Request request;
    request.url = api_prefix(gvk);
    const auto what = fmt::format("discover {}", gvk.api_version());
    OCNE_TRY_ASSIGN(auto response, send(std::move(request), what));
    GroupVersionEntry entry;
    if (response.status == 404) {
      return entry;
    }
    if (!response.ok()) {
      return make_error(api_error(response, what));
    }
    OCNE_TRY_ASSIGN(auto doc, parse_body(response, what));
    entry.served = true;
    std::set<std::string> with_status;
    const auto resources = doc.find("resources");
    if (resources == doc.end() || !resources->is_array()) {
      return entry;
    }
    for (const auto& r : *resources) {
      const auto name = string_at(r, "/name");
      if (const auto slash = name.find('/'); slash != std::string::npos) {
        if (name.substr(slash + 1) == "status") {
          with_status.insert(name.substr(0, slash));
        }
        continue;
      }
      ResourceMapping m;
      m.gvk = GroupVersionKind{ gvk.group, gvk.version, string_at(r, "/kind") };
      m.resource = name;
      m.namespaced = r.value("namespaced", false);
      if (const auto verbs = r.find("verbs"); verbs != r.end() && verbs->is_array()) {
        for (const auto& v : *verbs) {
          if (v.is_string()) {
            m.verbs.push_back(v.get<std::string>());
          }
        }
      }
      entry.resources.push_back(std::move(m));
    }
    for (auto& m : entry.resources) {
      m.has_status = with_status.count(m.resource) > 0;
    }
    return entry;
  }

  Result<ResourceMapping>
  mapping(const GroupVersionKind& gvk)
  {
    if (gvk.kind.empty() || gvk.version.empty()) {
      return make_error(
        ErrorKind::invalid_input, "an object needs apiVersion and kind (got {})", str::quote(gvk.to_string()));
    }
    const auto key = gvk.api_version();
    auto lookup = [&](const GroupVersionEntry& entry) -> std::optional<ResourceMapping> {
      for (const auto& m : entry.resources) {
        if (m.gvk.kind == gvk.kind) {
          return m;
        }
      }
      return std::nullopt;
    };
    {
      const std::lock_guard lock(discovery_mutex);
      if (const auto it = discovery.find(key); it != discovery.end()) {
        if (auto m = lookup(it->second)) {
          return *m;
        }
      }
    }
    // Unknown here: ask the server (a CRD may have been installed meanwhile).
    OCNE_TRY_ASSIGN(auto entry, fetch_group_version(gvk));
    auto found = lookup(entry);
    const bool served = entry.served;
    {
      const std::lock_guard lock(discovery_mutex);
      discovery[key] = std::move(entry);
    }
    if (found) {
      return *found;
    }
    if (!served) {
      return make_error(
        ErrorKind::not_found, "the server {} does not serve {} (is its CRD installed?)", describe(), key);
    }
    return make_error(
      ErrorKind::not_found, "the server {} has no kind {} in {} (is its CRD installed?)", describe(), gvk.kind, key);
  }
};

Client::Client(ClusterAccess access, ClientOptions options)
  : m_impl(std::make_unique<Impl>(std::move(access), std::move(options)))
{
}

Client::~Client() = default;

const ClusterAccess&
Client::access() const
{
  return m_impl->access;
}

const ClientOptions&
Client::options() const
{
  return m_impl->options;
}

std::string
Client::describe() const
{
  return m_impl->describe();
}

Result<ResourceMapping>
Client::mapping(const GroupVersionKind& gvk)
{
  return m_impl->mapping(gvk);
}

void
Client::invalidate_discovery()
{
  const std::lock_guard lock(m_impl->discovery_mutex);
  m_impl->discovery.clear();
}

Result<std::vector<ResourceMapping>>
Client::api_resources()
{
  const auto what = fmt::format("discover the resources of {}", describe());
  // The core group serves v1; every other group names its preferred version.
  std::vector<GroupVersionKind> versions{ GroupVersionKind{ "", "v1", "" } };
  http::Request request;
  request.url = "/apis";
  OCNE_TRY_ASSIGN(auto groups, m_impl->call(std::move(request), what));
  if (const auto list = groups.find("groups"); list != groups.end() && list->is_array()) {
    for (const auto& g : *list) {
      const auto name = string_at(g, "/name");
      auto version = string_at(g, "/preferredVersion/version");
      if (version.empty()) {
        version = string_at(g, "/versions/0/version");
      }
      if (!name.empty() && !version.empty()) {
        versions.push_back(GroupVersionKind{ name, version, "" });
      }
    }
  }
  std::vector<ResourceMapping> out;
  for (const auto& gv : versions) {
    OCNE_TRY_ASSIGN(auto entry, m_impl->fetch_group_version(gv));
    out.insert(out.end(), entry.resources.begin(), entry.resources.end());
    const std::lock_guard lock(m_impl->discovery_mutex);
    m_impl->discovery[gv.api_version()] = std::move(entry);
  }
  return out;
}

Result<std::string>
Client::pod_log(std::string_view ns, std::string_view pod, const PodLogOptions& options)
{
  const auto what = fmt::format("read the log of {}/{}{}{}",
                                ns,
                                pod,
                                options.container.empty() ? "" : " container " + options.container,
                                options.previous ? " (previous)" : "");
  http::QueryParams query;
  if (!options.container.empty()) {
    query.emplace_back("container", options.container);
  }
  if (options.previous) {
    query.emplace_back("previous", "true");
  }
  if (options.tail_lines > 0) {
    query.emplace_back("tailLines", std::to_string(options.tail_lines));
  }
  if (options.limit_bytes > 0) {
    query.emplace_back("limitBytes", std::to_string(options.limit_bytes));
  }
  http::Request request;
  // Logs are text; errors still come as a JSON Status.
  request.headers.set("Accept", "application/json, */*");
  request.url = http::join_url(
    "", fmt::format("/api/v1/namespaces/{}/pods/{}/log", http::url_encode(ns), http::url_encode(pod)), query);
  OCNE_TRY_ASSIGN(auto response, m_impl->send(std::move(request), what));
  if (!response.ok()) {
    return make_error(api_error(response, what));
  }
  return std::move(response.body);
}

Result<std::string>
Client::server_version()
{
  http::Request request;
  request.url = "/version";
  OCNE_TRY_ASSIGN(auto doc, m_impl->call(std::move(request), fmt::format("connect to {}", describe())));
  return string_at(doc, "/gitVersion");
}

Result<std::string>
Client::namespace_for(const json& object, const ResourceMapping& mapping) const
{
  if (!mapping.namespaced) {
    return std::string();
  }
  auto ns = string_at(object, "/metadata/namespace");
  return ns.empty() ? m_impl->access.default_namespace : ns;
}

Result<json>
Client::get(const ObjectRef& ref)
{
  const auto what = fmt::format("get {}", ref.to_string());
  OCNE_TRY_ASSIGN(auto m, mapping(ref.gvk()));
  http::Request request;
  request.url = object_path(m, m.namespaced ? ref.namespace_ : "", ref.name);
  OCNE_TRY_ASSIGN(auto object, m_impl->call(std::move(request), what));
  complete_item(object, m.gvk);
  return object;
}

Result<std::optional<json>>
Client::find(const ObjectRef& ref)
{
  auto object = get(ref);
  if (!object) {
    if (object.error().kind() == ErrorKind::not_found) {
      return std::optional<json>();
    }
    return make_error(object.error());
  }
  return std::optional<json>(std::move(*object));
}

Result<ObjectList>
Client::list(const GroupVersionKind& gvk, const ListOptions& options)
{
  OCNE_TRY_ASSIGN(auto m, mapping(gvk));
  const auto scope = options.namespace_.empty() || !m.namespaced ? std::string() : " in " + options.namespace_;
  const auto what = fmt::format("list {}{}", gvk.kind, scope);
  const int limit = options.limit > 0 ? options.limit : m_impl->options.page_size;
  for (int restart = 0;; ++restart) {
    ObjectList out;
    std::string next;
    bool expired = false;
    do {
      http::QueryParams query;
      if (!options.label_selector.empty()) {
        query.emplace_back("labelSelector", options.label_selector);
      }
      if (!options.field_selector.empty()) {
        query.emplace_back("fieldSelector", options.field_selector);
      }
      if (limit > 0) {
        query.emplace_back("limit", std::to_string(limit));
      }
      if (!next.empty()) {
        query.emplace_back("continue", next);
      }
      http::Request request;
      request.url = http::join_url("", collection_path(m, options.namespace_), query);
      OCNE_TRY_ASSIGN(auto response, m_impl->send(std::move(request), what));
      if (response.status == 410 && !next.empty() && restart < 2) {
        expired = true; // the continue token expired: list again from the start
        break;
      }
      if (!response.ok()) {
        return make_error(api_error(response, what));
      }
      OCNE_TRY_ASSIGN(auto page, parse_body(response, what));
      if (auto items = page.find("items"); items != page.end() && items->is_array()) {
        for (auto& item : *items) {
          complete_item(item, m.gvk);
          out.items.push_back(std::move(item));
        }
      }
      out.resource_version = string_at(page, "/metadata/resourceVersion");
      next = string_at(page, "/metadata/continue");
    } while (!next.empty());
    if (!expired) {
      return out;
    }
    log::debug("kube: {}: continue token expired, listing again", what);
  }
}

Result<json>
Client::create(const json& object)
{
  return create_object(object, false);
}

Result<json>
Client::create_object(const json& object, bool retry)
{
  OCNE_TRY(check_object(object, "create"));
  const auto ref = ObjectRef::of(object);
  const auto what = fmt::format("create {}", ref.to_string());
  OCNE_TRY_ASSIGN(auto m, mapping(ref.gvk()));
  OCNE_TRY_ASSIGN(auto ns, namespace_for(object, m));
  json body = object;
  if (m.namespaced) {
    body["metadata"]["namespace"] = ns;
  } else if (body.contains("metadata")) {
    body["metadata"].erase("namespace");
  }
  http::Request request;
  request.method = "POST";
  request.url = collection_path(m, ns);
  request.headers.set("Content-Type", "application/json");
  request.body = body.dump();
  request.idempotent = retry;
  OCNE_TRY_ASSIGN(auto created, m_impl->call(std::move(request), what));
  complete_item(created, m.gvk);
  if (m.gvk.kind == "CustomResourceDefinition") {
    invalidate_discovery();
  }
  return created;
}

Result<std::pair<json, bool>>
Client::create_if_absent(const json& object)
{
  auto created = create_object(object, true);
  if (created) {
    return std::make_pair(std::move(*created), true);
  }
  if (created.error().kind() != ErrorKind::already_exists) {
    return make_error(created.error());
  }
  auto ref = ObjectRef::of(object);
  if (ref.namespace_.empty()) {
    OCNE_TRY_ASSIGN(auto m, mapping(ref.gvk()));
    OCNE_TRY_ASSIGN(ref.namespace_, namespace_for(object, m));
  }
  OCNE_TRY_ASSIGN(auto existing, get(ref));
  return std::make_pair(std::move(existing), false);
}

Result<json>
Client::replace(const json& object)
{
  OCNE_TRY(check_object(object, "update"));
  const auto ref = ObjectRef::of(object);
  const auto what = fmt::format("update {}", ref.to_string());
  OCNE_TRY_ASSIGN(auto m, mapping(ref.gvk()));
  OCNE_TRY_ASSIGN(auto ns, namespace_for(object, m));
  http::Request request;
  request.method = "PUT";
  request.url = object_path(m, ns, ref.name);
  request.headers.set("Content-Type", "application/json");
  request.body = object.dump();
  OCNE_TRY_ASSIGN(auto updated, m_impl->call(std::move(request), what));
  complete_item(updated, m.gvk);
  return updated;
}

Result<json>
Client::apply(const json& object, const ApplyOptions& options)
{
  OCNE_TRY(check_object(object, "apply"));
  auto ref = ObjectRef::of(object);
  OCNE_TRY_ASSIGN(auto m, mapping(ref.gvk()));
  OCNE_TRY_ASSIGN(ref.namespace_, namespace_for(object, m));
  const auto what = fmt::format("apply {}", ref.to_string());
  json body = object;
  if (m.namespaced) {
    body["metadata"]["namespace"] = ref.namespace_;
  } else {
    body["metadata"].erase("namespace");
  }
  body["metadata"].erase("managedFields"); // an apply must not carry them
  body["metadata"].erase("creationTimestamp");
  body["metadata"].erase("uid");
  const auto payload = body.dump();

  auto attempt = [&](bool force) -> Result<json> {
    http::QueryParams query{ { "fieldManager", m_impl->options.field_manager } };
    if (force) {
      query.emplace_back("force", "true");
    }
    if (options.dry_run) {
      query.emplace_back("dryRun", "All");
    }
    http::Request request;
    request.method = "PATCH";
    request.url = http::join_url("", object_path(m, ref.namespace_, ref.name), query);
    request.headers.set("Content-Type", content_type(PatchType::apply));
    request.body = payload;
    request.idempotent = true; // applying the same configuration twice is harmless
    return m_impl->call(std::move(request), what);
  };

  auto result = attempt(options.conflicts == ConflictPolicy::force);
  if (!result && result.error().kind() == ErrorKind::conflict && options.conflicts == ConflictPolicy::force_if_owned) {
    // Take the fields over only when this object is already ours.
    OCNE_TRY_ASSIGN(auto current, get(ref));
    if (applied_by(current, m_impl->options.field_manager)) {
      log::debug("kube: {}: taking over conflicting fields of an object we manage", what);
      result = attempt(true);
    }
  }
  if (!result) {
    return result;
  }
  complete_item(*result, m.gvk);
  if (m.gvk.kind == "CustomResourceDefinition" && !options.dry_run) {
    invalidate_discovery();
  }
  return result;
}

Result<json>
Client::patch(const ObjectRef& ref, PatchType type, const json& patch, std::string_view subresource)
{
  const auto what = subresource.empty() ? fmt::format("patch {}", ref.to_string())
                                        : fmt::format("patch {} of {}", subresource, ref.to_string());
  OCNE_TRY_ASSIGN(auto m, mapping(ref.gvk()));
  http::QueryParams query;
  if (type == PatchType::apply) {
    query.emplace_back("fieldManager", m_impl->options.field_manager);
  }
  http::Request request;
  request.method = "PATCH";
  auto path = object_path(m, m.namespaced ? ref.namespace_ : "", ref.name);
  if (!subresource.empty()) {
    path += "/" + std::string(subresource);
  }
  request.url = http::join_url("", path, query);
  request.headers.set("Content-Type", content_type(type));
  request.body = patch.dump();
  request.idempotent = type == PatchType::merge || type == PatchType::apply;
  OCNE_TRY_ASSIGN(auto patched, m_impl->call(std::move(request), what));
  complete_item(patched, m.gvk);
  return patched;
}

Result<json>
Client::patch_status(const ObjectRef& ref, const json& status_patch)
{
  return patch(ref, PatchType::merge, json{ { "status", status_patch } }, "status");
}

Status
Client::remove(const ObjectRef& ref, const DeleteOptions& options)
{
  const auto what = fmt::format("delete {}", ref.to_string());
  OCNE_TRY_ASSIGN(auto m, mapping(ref.gvk()));
  http::Request request;
  request.method = "DELETE";
  request.url = http::join_url("",
                               object_path(m, m.namespaced ? ref.namespace_ : "", ref.name),
                               { { "propagationPolicy", propagation_name(options.propagation) } });
  OCNE_TRY_ASSIGN(auto response, m_impl->send(std::move(request), what));
  if (response.status == 404 && options.ignore_not_found) {
    return {};
  }
  if (!response.ok()) {
    return make_error(api_error(response, what));
  }
  return {};
}

Result<std::optional<EvictionRefusal>>
Client::evict(std::string_view ns, std::string_view pod, const EvictionOptions& options)
{
  const auto what = fmt::format("evict pod {}/{}", ns, pod);
  json body = { { "apiVersion", "policy/v1" },
                { "kind", "Eviction" },
                { "metadata", { { "name", pod }, { "namespace", ns } } } };
  if (options.grace_period_seconds) {
    body["deleteOptions"]["gracePeriodSeconds"] = *options.grace_period_seconds;
  }
  if (options.dry_run) {
    body["deleteOptions"]["dryRun"] = json::array({ "All" });
  }
  http::Request request;
  request.method = "POST";
  request.url = fmt::format("/api/v1/namespaces/{}/pods/{}/eviction", http::url_encode(ns), http::url_encode(pod));
  request.headers.set("Content-Type", "application/json");
  request.body = body.dump();
  request.idempotent = false;
  request.max_attempts = 1;
  OCNE_TRY_ASSIGN(auto response, m_impl->send(std::move(request), what));
  if (response.ok()) {
    return std::optional<EvictionRefusal>{};
  }
  if (response.status != 429) {
    return make_error(api_error(response, what));
  }
  EvictionRefusal refusal;
  auto status = json::parse(response.body, nullptr, false);
  if (!status.is_object()) {
    status = json::object();
  }
  refusal.message = string_at(status, "/message");
  if (const auto details = status.find("details"); details != status.end() && details->is_object()) {
    if (const auto causes = details->find("causes"); causes != details->end() && causes->is_array()) {
      for (const auto& c : *causes) {
        if (string_at(c, "/reason") == "DisruptionBudget") {
          refusal.cause = string_at(c, "/message");
        }
      }
    }
    if (const auto after = details->find("retryAfterSeconds"); after != details->end() && after->is_number_integer()) {
      refusal.retry_after = std::chrono::seconds(after->get<int>());
    }
  }
  if (refusal.message.empty()) {
    refusal.message = "the server refused the eviction (429)";
  }
  return std::optional<EvictionRefusal>{ std::move(refusal) };
}

Status
Client::watch(const GroupVersionKind& gvk,
              const WatchOptions& options,
              const std::function<bool(const WatchEvent&)>& handler,
              WatchStats* stats)
{
  WatchStats local;
  WatchStats& st = stats != nullptr ? *stats : local;
  OCNE_TRY_ASSIGN(auto m, mapping(gvk));
  const auto what = fmt::format("watch {}", gvk.kind);
  const auto started = Clock::now();
  const auto deadline = options.timeout.count() > 0 ? started + options.timeout : Clock::time_point::max();
  std::map<std::string, std::string> known; // key -> resourceVersion
  std::string rv = options.resource_version;

  auto emit = [&](WatchEvent::Type type, const json& object) {
    ++st.events;
    return handler(WatchEvent{ type, &object });
  };

  // Lists and reports the differences to what was seen; false: handler stopped.
  auto relist = [&]() -> Result<bool> {
    OCNE_TRY_ASSIGN(auto listed, list(gvk, options.list));
    std::set<std::string> present;
    for (const auto& item : listed.items) {
      const auto key = object_key(item);
      present.insert(key);
      const auto item_rv = string_at(item, "/metadata/resourceVersion");
      const auto it = known.find(key);
      if (it != known.end() && it->second == item_rv) {
        continue;
      }
      const auto type = it == known.end() ? WatchEvent::Type::added : WatchEvent::Type::modified;
      known[key] = item_rv;
      if (!emit(type, item)) {
        return false;
      }
    }
    for (auto it = known.begin(); it != known.end();) {
      if (present.count(it->first) > 0) {
        ++it;
        continue;
      }
      const auto slash = it->first.find('/');
      json gone = { { "apiVersion", gvk.api_version() },
                    { "kind", gvk.kind },
                    { "metadata",
                      { { "namespace", it->first.substr(0, slash) }, { "name", it->first.substr(slash + 1) } } } };
      if (gone["metadata"]["namespace"] == "") {
        gone["metadata"].erase("namespace");
      }
      it = known.erase(it);
      if (!emit(WatchEvent::Type::deleted, gone)) {
        return false;
      }
    }
    rv = listed.resource_version;
    return true;
  };

  if (rv.empty()) {
    OCNE_TRY_ASSIGN(const bool go_on, relist());
    if (!go_on) {
      return {};
    }
  }

  while (true) {
    if (interrupted()) {
      return make_error(ErrorKind::cancelled, "{}: interrupted", what);
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      return make_error(ErrorKind::timeout, "{}: no end after {} ms", what, options.timeout.count());
    }
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    auto seconds = options.request_seconds.count();
    if (deadline != Clock::time_point::max()) {
      seconds = std::min<long long>(seconds, std::max<long long>(1, (remaining.count() + 999) / 1000));
    }
    http::QueryParams query{ { "watch", "true" },
                             { "resourceVersion", rv },
                             { "allowWatchBookmarks", "true" },
                             { "timeoutSeconds", std::to_string(seconds) } };
    if (!options.list.label_selector.empty()) {
      query.emplace_back("labelSelector", options.list.label_selector);
    }
    if (!options.list.field_selector.empty()) {
      query.emplace_back("fieldSelector", options.list.field_selector);
    }
    bool stopped = false;
    bool gone = false;
    std::optional<Error> stream_error;
    std::string buffer;
    http::Request request;
    request.url = http::join_url("", collection_path(m, options.list.namespace_), query);
    if (deadline != Clock::time_point::max()) {
      request.timeout = remaining;
    } else {
      request.timeout = std::chrono::seconds(seconds + 30);
    }
    request.idle_timeout = std::chrono::seconds(seconds + 30);
    request.on_body = [&](std::string_view chunk) {
      buffer.append(chunk);
      std::size_t start = 0;
      for (auto nl = buffer.find('\n', start); nl != std::string::npos; nl = buffer.find('\n', start)) {
        const auto line = std::string_view(buffer).substr(start, nl - start);
        start = nl + 1;
        if (str::trim(line).empty()) {
          continue;
        }
        json event;
        try {
          event = json::parse(line);
        } catch (const json::exception& e) {
          stream_error =
            Error(ErrorKind::internal, fmt::format("{}: invalid event from the server: {}", what, e.what()));
          return false;
        }
        const auto type = string_at(event, "/type");
        auto& object = event["object"];
        if (type == "ERROR") {
          if (object.value("code", 0) == 410) {
            gone = true;
            return false;
          }
          stream_error = api_error_from_status(object, what);
          return false;
        }
        if (const auto obj_rv = string_at(object, "/metadata/resourceVersion"); !obj_rv.empty()) {
          rv = obj_rv;
        }
        WatchEvent::Type t;
        if (type == "ADDED") {
          t = WatchEvent::Type::added;
        } else if (type == "MODIFIED") {
          t = WatchEvent::Type::modified;
        } else if (type == "DELETED") {
          t = WatchEvent::Type::deleted;
        } else if (type == "BOOKMARK") {
          t = WatchEvent::Type::bookmark;
        } else {
          continue;
        }
        const auto key = object_key(object);
        if (t == WatchEvent::Type::deleted) {
          known.erase(key);
        } else if (t != WatchEvent::Type::bookmark) {
          known[key] = rv;
        }
        if (t != WatchEvent::Type::bookmark) {
          complete_item(object, m.gvk);
        }
        if (!emit(t, object)) {
          stopped = true;
          return false;
        }
      }
      buffer.erase(0, start);
      return true;
    };
    const auto attempt_started = Clock::now();
    auto response = m_impl->send(std::move(request), what);
    if (stopped) {
      return {};
    }
    if (stream_error) {
      return make_error(*stream_error);
    }
    bool relist_now = gone;
    if (gone) {
      // The transfer was stopped on purpose after the 410 event.
    } else if (response) {
      if (response->status == 410) {
        relist_now = true;
      } else if (!response->ok()) {
        auto err = api_error(*response, what);
        if (err.kind() != ErrorKind::transient) {
          return make_error(std::move(err));
        }
        log::debug("kube: {}: {}; reconnecting", what, err.message());
      }
    } else {
      const auto kind = response.error().kind();
      if (kind == ErrorKind::auth || kind == ErrorKind::cancelled || kind == ErrorKind::internal) {
        return make_error(response.error());
      }
      if (Clock::now() >= deadline) {
        return make_error(ErrorKind::timeout, "{}: no end after {} ms", what, options.timeout.count());
      }
      log::debug("kube: {}: stream broke ({}); resuming from resourceVersion {}", what, response.error().message(), rv);
    }
    if (relist_now) {
      ++st.relists;
      log::debug("kube: {}: resourceVersion {} expired (410 Gone); listing again", what, rv);
      OCNE_TRY_ASSIGN(const bool go_on, relist());
      if (!go_on) {
        return {};
      }
      continue;
    }
    ++st.reconnects;
    // A stream that failed or ended at once: do not hammer the server.
    if (!response || !response->ok() || Clock::now() - attempt_started < std::chrono::seconds(1)) {
      sleep_for(clock_or_real(options.clock), options.reconnect_delay);
    }
  }
}

} // namespace ocne::k8s
