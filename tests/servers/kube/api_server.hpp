#pragma once

// The API machinery behind KubeTestServer: types (built-in and from CRDs),
// the object store with one resourceVersion counter, history for watches,
// the verbs, and the in-process controllers (garbage collector, namespace
// and CRD cleanup, finalizers). Internal to the test server.

#include "tests/servers/kube/api_error.hpp"
#include "tests/servers/kube/faults.hpp"
#include "tests/servers/kube/https_server.hpp"
#include "tests/servers/kube/json_util.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/servers/kube/resource_type.hpp"
#include "tests/servers/kube/selector.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace ocne::test::kube {

struct ObjectKey
{
  std::string group, plural, ns, name;
  auto operator<=>(const ObjectKey&) const = default;
};

using ObjectPtr = std::shared_ptr<const Json>;

struct HistoryEvent
{
  std::uint64_t rv = 0;
  std::string type; // ADDED MODIFIED DELETED
  ObjectKey key;
  ObjectPtr object;   // state after the change (for DELETED: the last state)
  ObjectPtr previous; // state before (null for ADDED)
};

// One open watch stream.
struct Watcher
{
  ResourceTypePtr type;
  std::string version;
  std::string ns; // "" = every namespace
  LabelSelector labels;
  FieldSelector fields;
  bool table = false;
  bool bookmarks = false;

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::string> queue; // serialized events, newline-terminated
  bool closed = false;
  bool abrupt = false;
  bool sent_columns = false;
};

// A call on a resource: what the URL and query say, decoded.
struct Call
{
  std::string verb; // get list watch create update patch delete deletecollection
  ResourceTypePtr type;
  std::string version;
  std::string ns;
  std::string name;
  std::string subresource;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> query;
  std::string user_agent;
  bool table = false;
  bool direct = false; // from the C++ API

  std::string param(const std::string& key) const;
  bool flag(const std::string& key) const;
};

struct Reply
{
  int status = 200;
  Json body;
  std::vector<std::string> warnings;
  std::function<void(StreamWriter&)> stream; // watch
};

class ApiServer
{
public:
  explicit ApiServer(const ServerOptions& options);
  ~ApiServer();

  // The HTTP entry point.
  void handle(const HttpRequest& req, HttpResponse& res);
  void set_server_address(const std::string& host_port);

  // Runs one call (the direct C++ API uses this too). Throws ApiError.
  Reply call(Call& c);
  // The type that serves apiVersion + kind, or throws 404-style ApiError.
  std::pair<ResourceTypePtr, std::string> type_for(const std::string& api_version, const std::string& kind) const;

  FaultInjector&
  faults()
  {
    return m_faults;
  }
  void disconnect_watches(bool abrupt);
  void compact();
  std::uint64_t resource_version() const;
  int open_watches() const;
  std::vector<RequestRecord> requests() const;
  // The unchecked rules of every served custom resource type, sorted.
  std::vector<std::string> unchecked_rules() const;
  void clear_requests();

  // Where the pods of a Service listen (webhooks.cpp).
  void route_service(const std::string& ns, const std::string& name, int port, const std::string& url);

  int add_hook(HookFilter filter, Hook hook);
  void remove_hook(int id);
  void wait_idle(std::chrono::milliseconds timeout);
  void start_workers(KubeTestServer* owner);
  void stop_workers();

  void set_exec_responder(ExecResponder responder);
  void set_exec_protocols(std::vector<std::string> protocols);
  std::vector<ExecCall> exec_calls() const;

  // Text set by set_pod_log.
  void set_pod_log(const std::string& ns,
                   const std::string& pod,
                   const std::string& container,
                   const std::string& text,
                   bool previous);

private:
  // GET pods/<name>/log (api_pod_log.cpp); false for other paths.
  bool handle_pod_log(const HttpRequest& req, HttpResponse& res);
  // GET/POST pods/<name>/exec (api_pod_exec.cpp); false for other paths.
  bool handle_pod_exec(const HttpRequest& req, HttpResponse& res);
  // POST pods/<name>/eviction (api_pod_eviction.cpp); false for other paths.
  bool handle_pod_eviction(const HttpRequest& req, HttpResponse& res);
  // Routing and HTTP concerns (api_server.cpp).
  bool handle_non_resource(const HttpRequest& req, HttpResponse& res, const std::string& user);
  Call parse_resource_call(const HttpRequest& req, bool& found);
  void send_reply(const HttpRequest& req, HttpResponse& res, Reply& reply);

  // Discovery and OpenAPI (api_discovery.cpp); lock held.
  Json discovery_versions_core() const;
  Json discovery_group_list() const;
  std::optional<Json> discovery_group(const std::string& group) const;
  std::optional<Json> discovery_resources(const std::string& group, const std::string& version) const;
  Json aggregated_discovery(bool core, const std::string& api_version) const;
  Json openapi_v3_root() const;
  std::optional<Json> openapi_v3_group_version(const std::string& path) const;
  std::vector<std::string> group_versions(const std::string& group) const;

  // Reads (api_read.cpp); lock held unless noted.
  Reply do_get(Call& c);
  Reply do_list(Call& c);
  Reply do_watch(Call& c); // takes the lock itself
  Json to_table(const ResourceType& type,
                const std::string& version,
                const std::vector<ObjectPtr>& objects,
                bool columns) const;
  std::vector<ObjectPtr> snapshot(const ResourceType& type, std::uint64_t rv) const;

  // Writes (api_write.cpp); lock held.
  Reply do_create(Call& c);
  Reply do_update(Call& c);
  Reply do_patch(Call& c);
  Reply do_delete(Call& c);
  Reply do_delete_collection(Call& c);
  Json decode_body(const Call& c) const;
  void check_type_meta(Json& obj, const Call& c) const;
  void prepare(Json& obj, const Call& c, const Json* old, std::vector<std::string>& warnings) const;
  void validate_object(const Json& obj, const Call& c, const Json* old) const;
  Reply create_object(Call& c, Json obj, std::vector<std::string> warnings, const Json* applied);
  Reply finish_update(Call& c, const ObjectPtr& old, Json updated, std::vector<std::string> warnings, bool apply);
  std::string field_manager(const Call& c) const;
  void check_namespace(const Call& c, const std::string& ns, const std::string& name) const;

  // Store (api_store.cpp); lock held.
  ObjectPtr find(const ObjectKey& key) const;
  ObjectPtr commit(const ResourceType& type, const ObjectKey& key, Json object, const std::string& event);
  ObjectPtr remove_now(const ResourceType& type, const ObjectKey& key);
  void notify(const HistoryEvent& e);
  std::string watch_event_json(Watcher& w, const std::string& type, const Json& object);
  Json output(const Json& stored, const ResourceType& type, const std::string& version) const;
  ResourceTypePtr type_by_plural(const std::string& group, const std::string& plural) const;
  ResourceTypePtr type_by_kind(const std::string& group, const std::string& kind) const;

  // Webhooks (webhooks.cpp); lock held. Conversion of objects between the
  // versions of a custom resource whose CRD says strategy Webhook (others
  // only get their apiVersion rewritten), and admission webhooks (mutating
  // changes *object; both throw ApiError as kube-apiserver fails the request).
  bool webhook_conversion(const ResourceType& type) const;
  // Stored objects read at this version go through the webhook.
  bool needs_conversion(const ResourceType& type, const std::string& version) const;
  Json convert(const ResourceType& type, Json object, const std::string& version) const;
  std::vector<Json> convert_all(const ResourceType& type, std::vector<Json> objects, const std::string& version) const;
  ObjectPtr at_version(const ObjectPtr& stored, const ResourceType& type, const std::string& version) const;
  void admit(const Call& c, const std::string& operation, Json* object, const Json* old, bool mutating) const;
  struct WebhookTarget;
  WebhookTarget webhook_target(const Json& client_config, int timeout_seconds) const;

  // Controllers (api_lifecycle.cpp); lock held.
  void settle();
  bool settle_once();
  ObjectPtr begin_deletion(const ResourceType& type, const ObjectKey& key, const std::string& policy);
  void crd_changed(const Json& crd);
  void crd_removed(const Json& crd);
  void establish_crd(const std::string& name);
  std::string now() const;

  ServerOptions m_options;
  std::string m_server_address;
  mutable std::mutex m_mutex;
  std::map<std::pair<std::string, std::string>, ResourceTypePtr> m_types; // (group, plural)
  std::set<std::pair<std::string, std::string>> m_builtin;
  std::map<std::string, Json> m_crd_shapes; // CRD name -> spec without conversion, of its served type
  std::map<std::pair<std::string, std::string>, std::map<std::pair<std::string, std::string>, ObjectPtr>> m_objects;
  std::uint64_t m_rv = 1;
  std::deque<HistoryEvent> m_history;
  std::uint64_t m_compacted = 0; // events at or below this are gone
  std::vector<std::shared_ptr<Watcher>> m_watchers;
  FaultInjector m_faults;
  std::map<std::tuple<std::string, std::string, int>, std::string> m_routes; // (ns, service, port) -> URL
  std::vector<RequestRecord> m_requests;
  // (namespace, pod, container, previous) -> log text
  std::map<std::tuple<std::string, std::string, std::string, bool>, std::string> m_logs;
  mutable std::mutex m_exec_mutex;
  ExecResponder m_exec_responder;
  std::vector<std::string> m_exec_protocols = { "v5.channel.k8s.io", "v4.channel.k8s.io" };
  std::vector<ExecCall> m_exec_calls;
  mutable std::mutex m_requests_mutex;

  // Hooks and delayed work run on one worker thread.
  struct Task
  {
    std::chrono::steady_clock::time_point when;
    std::uint64_t seq;
    std::function<void()> run;
  };
  struct HookEntry
  {
    int id;
    HookFilter filter;
    Hook hook;
  };
  void queue_hooks(const HistoryEvent& e);
  void schedule(std::chrono::milliseconds delay, std::function<void()> run);
  void worker_loop();
  std::mutex m_work_mutex;
  std::condition_variable m_work_cv;
  std::vector<Task> m_tasks;
  std::uint64_t m_task_seq = 0;
  int m_running_tasks = 0;
  bool m_stop_worker = false;
  std::thread m_worker;
  KubeTestServer* m_owner = nullptr;
  std::vector<HookEntry> m_hooks; // guarded by m_work_mutex
  int m_next_hook = 1;
};

// "/api/v1/pods" -> {"api", "v1", "pods"}.
std::vector<std::string> split_path(const std::string& path);

// "4m12s", "3h", "2d" like kubectl's ages (k8s.io/apimachinery/pkg/util/duration).
std::string human_duration(std::int64_t seconds);

} // namespace ocne::test::kube
