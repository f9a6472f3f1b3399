#pragma once

// A Kubernetes API client over pkg/http: REST with retries, discovery and
// REST mapping, get/list/create/apply/patch/delete and watch.
//
// Errors carry the kind callers branch on: not_found (404), already_exists
// (409 AlreadyExists), conflict (409 Conflict: a stale resourceVersion or a
// server-side apply conflict), invalid_input (400/422), auth (401/403, TLS),
// transient (429/5xx and connection failures after retries).

#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"
#include "pkg/http/retry.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/k8s/object.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::k8s {

struct ClientOptions
{
  http::RetryPolicy retry{};
  std::chrono::milliseconds connect_timeout{ 10000 };
  // Per attempt, for everything but watches.
  std::chrono::milliseconds request_timeout{ 60000 };
  std::string field_manager = "ocne";
  // Items per page when listing.
  int page_size = 500;
  // Requests in flight at once when applying many objects.
  int parallelism = 8;
};

// What discovery knows about a type.
struct ResourceMapping
{
  GroupVersionKind gvk;
  std::string resource; // plural, e.g. "deployments"
  bool namespaced = true;
  bool has_status = false;        // a status subresource exists
  std::vector<std::string> verbs; // "list", "get", ... as discovery says
};

// Options of GET pods/<name>/log.
struct PodLogOptions
{
  std::string container;
  bool previous = false;        // the last terminated instance of the container
  std::int64_t tail_lines = 0;  // 0: all
  std::int64_t limit_bytes = 0; // 0: no limit
};

// Options of POST pods/<name>/eviction.
struct EvictionOptions
{
  std::optional<int> grace_period_seconds;
  bool dry_run = false;
};

// A 429 from the eviction subresource: a PodDisruptionBudget says no (or the
// disruption controller has not processed it yet).
struct EvictionRefusal
{
  std::string message;                   // "Cannot evict pod as it would violate the pod's disruption budget."
  std::string cause;                     // "The disruption budget web needs 2 healthy pods and has 2 currently"
  std::chrono::seconds retry_after{ 0 }; // details.retryAfterSeconds
};

enum class PatchType { merge, json, strategic, apply };

enum class Propagation { background, foreground, orphan };

struct DeleteOptions
{
  Propagation propagation = Propagation::background;
  // An absent object is success instead of not_found.
  bool ignore_not_found = false;
};

struct ListOptions
{
  std::string namespace_; // empty: all namespaces (or cluster-scoped)
  std::string label_selector;
  std::string field_selector;
  // Items per request (0: the client's page_size).
  int limit = 0;
};

struct ObjectList
{
  std::vector<nlohmann::json> items;
  std::string resource_version; // of the list, to start a watch from
};

enum class ConflictPolicy {
  fail,           // report the conflict
  force_if_owned, // take the fields over when the object is already ours
  force,          // always take the fields over
};

struct ApplyOptions
{
  ConflictPolicy conflicts = ConflictPolicy::force_if_owned;
  bool dry_run = false; // server-side dry run
};

struct WatchEvent
{
  enum class Type { added, modified, deleted, bookmark };
  Type type;
  const nlohmann::json* object; // valid during the callback
};

struct WatchOptions
{
  ListOptions list;
  // Start from this resourceVersion; empty lists first and reports the
  // existing objects as added.
  std::string resource_version;
  // Overall limit (0: until the handler returns false).
  std::chrono::milliseconds timeout{ 0 };
  // Server-side limit of one watch request before it is renewed.
  std::chrono::seconds request_seconds{ 300 };
  // Wait between reconnects after a broken stream.
  std::chrono::milliseconds reconnect_delay{ 200 };
  Clock* clock = nullptr; // for the pause; null: real_clock()
};

// Counts the watch's recoveries, for tests and logs.
struct WatchStats
{
  int reconnects = 0; // streams that ended or broke and were resumed
  int relists = 0;    // 410 Gone: the resourceVersion expired, listed again
  int events = 0;
};

class Client
{
public:
  // No network traffic happens until the first call.
  explicit Client(ClusterAccess access, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClusterAccess& access() const;
  const ClientOptions& options() const;
  // "context "x" (https://host:port)", for messages.
  std::string describe() const;

  // Discovery: the resource for a kind, cached for the client's lifetime.
  // An unknown kind triggers one fresh look before failing.
  Result<ResourceMapping> mapping(const GroupVersionKind& gvk);
  // Forgets everything discovery learned (after installing CRDs).
  void invalidate_discovery();
  // Every resource type the server serves at the preferred version of its
  // group (what `kubectl api-resources` lists), without subresources.
  Result<std::vector<ResourceMapping>> api_resources();
  // Checks that the server answers (GET /version); the error names the
  // kubeconfig and context.
  Result<std::string> server_version();

  Result<nlohmann::json> get(const ObjectRef& ref);
  // nullopt when the object does not exist.
  Result<std::optional<nlohmann::json>> find(const ObjectRef& ref);
  Result<ObjectList> list(const GroupVersionKind& gvk, const ListOptions& options = {});
  // The text of a container's log (GET pods/<name>/log). An API refusal (a
  // container waiting to start, no previous instance) is invalid_input with
  // the server's message.
  Result<std::string> pod_log(std::string_view ns, std::string_view pod, const PodLogOptions& options);

  Result<nlohmann::json> create(const nlohmann::json& object);
  // Creates the object unless it exists; returns the object and whether it
  // was created. Unlike create(), transient failures are retried: a create
  // that did happen before its answer was lost shows as "exists".
  Result<std::pair<nlohmann::json, bool>> create_if_absent(const nlohmann::json& object);
  // PUT: fails with conflict when metadata.resourceVersion is stale.
  Result<nlohmann::json> replace(const nlohmann::json& object);
  // Server-side apply with this client's field manager.
  Result<nlohmann::json> apply(const nlohmann::json& object, const ApplyOptions& options = {});
  Result<nlohmann::json> patch(const ObjectRef& ref,
                               PatchType type,
                               const nlohmann::json& patch,
                               std::string_view subresource = {});
  // Merge patch of the status subresource.
  Result<nlohmann::json> patch_status(const ObjectRef& ref, const nlohmann::json& status_patch);
  Status remove(const ObjectRef& ref, const DeleteOptions& options = {});
  // Evicts a pod through the policy/v1 eviction subresource, sent once (a
  // 429 is the budget's answer, not a busy server, so it is returned as a
  // refusal for the caller to retry). nullopt: the pod is being deleted.
  // A missing pod is not_found; several budgets over the pod (a 500) and
  // other refusals are errors with the server's text.
  Result<std::optional<EvictionRefusal>> evict(std::string_view ns,
                                               std::string_view pod,
                                               const EvictionOptions& options = {});

  // Streams changes. Reconnects from the last resourceVersion when a stream
  // breaks and lists again on 410 Gone (reporting what changed meanwhile).
  // Returns when handler returns false, or with a timeout error.
  Status watch(const GroupVersionKind& gvk,
               const WatchOptions& options,
               const std::function<bool(const WatchEvent&)>& handler,
               WatchStats* stats = nullptr);

  // The namespace an object goes to (its own, or the context's default);
  // empty for cluster-scoped types.
  Result<std::string> namespace_for(const nlohmann::json& object, const ResourceMapping& mapping) const;

private:
  // retry: the POST is tried again on 5xx/429 like idempotent requests (for
  // callers to whom "already exists" on a later attempt means success).
  Result<nlohmann::json> create_object(const nlohmann::json& object, bool retry);

  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace ocne::k8s
