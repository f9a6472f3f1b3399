#pragma once

// Internals of the Oxide test server: the object model, the request context
// handed to handlers, and helpers for errors, lookups and pagination.

#include "tests/servers/openapi/spec.hpp"
#include "tests/servers/oxide/block_store.hpp"
#include "tests/servers/oxide/oxide_server.hpp"

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <random>

namespace ocne::test::oxide_server {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct ApiError
{
  int status = 400;
  std::string code; // Oxide error_code; empty: none (dropshot's own errors)
  std::string message;
};

template<typename T>
using Outcome = tl::expected<T, ApiError>;

inline tl::unexpected<ApiError>
fail(int status, std::string code, std::string message)
{
  return tl::unexpected<ApiError>(ApiError{ status, std::move(code), std::move(message) });
}
inline tl::unexpected<ApiError>
not_found(const std::string& kind, const std::string& key, bool by_id)
{
  return fail(404, "ObjectNotFound", "not found: " + kind + " with " + (by_id ? "id" : "name") + " \"" + key + "\"");
}
inline tl::unexpected<ApiError>
already_exists(const std::string& kind, const std::string& name)
{
  return fail(400, "ObjectAlreadyExists", "already exists: " + kind + " \"" + name + "\"");
}
inline tl::unexpected<ApiError>
invalid_request(std::string message)
{
  return fail(400, "InvalidRequest", std::move(message));
}
inline tl::unexpected<ApiError>
invalid_value(const std::string& label, const std::string& message)
{
  return fail(400, "InvalidValue", "unsupported value for \"" + label + "\": " + message);
}

struct Resource
{
  std::string id;
  std::string name;
  std::string description;
  std::string time_created;
  std::string time_modified;
};

struct Project : Resource
{};

struct Vpc : Resource
{
  std::string project_id;
  std::string dns_name;
  std::string ipv6_prefix;
  std::string system_router_id;
  json firewall_rules = json::array(); // VpcFirewallRule objects
};

struct Subnet : Resource
{
  std::string vpc_id;
  std::string ipv4_block;
  std::string ipv6_block;
};

struct Disk : Resource
{
  std::string project_id;
  std::uint64_t size = 0;
  std::uint32_t block_size = 512;
  std::string state = "detached";
  Clock::time_point ready_at; // "creating" until then
  std::shared_ptr<BlockStore> store;
  std::string image_id;
  std::string snapshot_id;
  std::uint64_t bytes_written = 0; // decoded bytes received by bulk writes
};

struct Snapshot : Resource
{
  std::string project_id;
  std::string disk_id;
  std::uint64_t size = 0;
  std::uint32_t block_size = 512;
  Clock::time_point ready_at;
  std::shared_ptr<BlockStore> store;
};

struct Image : Resource
{
  std::string project_id; // empty: silo image
  std::string os;
  std::string version;
  std::uint64_t size = 0;
  std::uint32_t block_size = 512;
  std::shared_ptr<BlockStore> store;
};

struct Instance : Resource
{
  std::string project_id;
  std::string hostname;
  std::uint32_t ncpus = 2;
  std::uint64_t memory = 4ULL << 30;
  std::string run_state = "running";
  std::string time_run_state_updated;
};

struct FloatingIp : Resource
{
  std::string project_id;
  std::string ip;
  std::string instance_id;
};

// One request on its way through a handler.
struct Ctx
{
  const openapi::OperationMatch* match = nullptr;
  const openapi::Query* query = nullptr;
  json body; // parsed request body (null when none)

  std::optional<std::string>
  param(const std::string& name) const
  {
    if (auto it = query->find(name); it != query->end()) {
      return it->second;
    }
    return std::nullopt;
  }
  const std::string&
  path(const std::string& name) const
  {
    return match->path_params.at(name);
  }
};

struct Reply
{
  int status = 200;
  json body; // ignored when empty_body
  bool empty_body = false;

  static Reply
  no_content()
  {
    return Reply{ 204, json(), true };
  }
};

std::string new_uuid();
json project_json(const Project& p);
json vpc_json(const Vpc& v);
json subnet_json(const Subnet& s);
json disk_json(const Disk& d);
json snapshot_json(const Snapshot& s);
json image_json(const Image& i);
json instance_json(const Instance& i);
json floating_ip_json(const FloatingIp& f);
// Strict standard base64 (with padding); false on any other character.
bool base64_decode(const std::string& in, std::string& out);
std::string now_rfc3339();
bool is_uuid(const std::string& s);

} // namespace ocne::test::oxide_server

namespace ocne::test {

struct OxideServer::Impl
{
  using Handler = std::function<oxide_server::Outcome<oxide_server::Reply>(oxide_server::Ctx&)>;

  explicit Impl(OxideServerOptions opts);

  OxideServerOptions options;
  std::shared_ptr<const openapi::Spec> spec;
  std::unique_ptr<openapi::Validator> validator;
  TestHttpServer http;
  std::atomic<bool> validate{ true };

  mutable std::mutex mutex; // guards everything below
  std::map<std::string, oxide_server::Project> projects;
  std::map<std::string, oxide_server::Vpc> vpcs;
  std::map<std::string, oxide_server::Subnet> subnets;
  std::map<std::string, oxide_server::Disk> disks;
  std::map<std::string, oxide_server::Snapshot> snapshots;
  std::map<std::string, oxide_server::Image> images;
  std::map<std::string, oxide_server::Instance> instances;
  std::map<std::string, oxide_server::FloatingIp> floating_ips;
  std::vector<std::string> violations;
  std::map<std::string, int> counts;
  std::uint32_t next_ip = 10;
  std::string user_id;
  std::string silo_id;

  std::map<std::string, Handler> handlers; // by operationId

  struct OperationFault
  {
    int remaining = 0;
    double probability = 0.0;
    int status = 503;
  };
  std::map<std::string, OperationFault> operation_faults; // guarded by mutex
  std::mt19937_64 fault_rng{ 1 };
  int operation_faults_injected = 0;

  void install_routes();
  void register_handlers();
  void register_project_handlers();
  void register_disk_handlers();
  void register_instance_handlers();
  void serve(const httplib::Request& req, httplib::Response& res);

  // Helpers used by handlers; call with the mutex held.
  oxide_server::Outcome<oxide_server::Project*> project_param(oxide_server::Ctx& ctx, bool required);
  oxide_server::Outcome<oxide_server::Project*> project_by_key(const std::string& key);
  oxide_server::Outcome<oxide_server::Vpc*> vpc_param(oxide_server::Ctx& ctx, const std::string& key);
  oxide_server::Outcome<void> check_name(const oxide_server::json& value, const std::string& label) const;
  void add_project_locked(const std::string& name, const std::string& description);
  oxide_server::Vpc& add_vpc_locked(const std::string& project_id, const std::string& name, const std::string& dns);
  void refresh_states_locked();

  // Looks up a child of a project by the path parameter `key` (name or id):
  // a name needs ?project=, an id must come without it.
  template<typename T>
  oxide_server::Outcome<T*> child(std::map<std::string, T>& items,
                                  oxide_server::Ctx& ctx,
                                  const std::string& kind,
                                  const std::string& key);

  // One page of a list, sorted as sort_by asks.
  template<typename T>
  oxide_server::Outcome<oxide_server::Reply> page(oxide_server::Ctx& ctx,
                                                  std::vector<const T*> items,
                                                  const std::string& scope,
                                                  const std::function<oxide_server::json(const T&)>& render);
};

} // namespace ocne::test

namespace ocne::test {

template<typename T>
oxide_server::Outcome<T*>
OxideServer::Impl::child(std::map<std::string, T>& items,
                         oxide_server::Ctx& ctx,
                         const std::string& kind,
                         const std::string& key)
{
  const auto project = ctx.param("project");
  if (oxide_server::is_uuid(key)) {
    if (project) {
      return oxide_server::invalid_request("when providing " + kind + " as an ID project should not be specified");
    }
    auto it = items.find(key);
    if (it == items.end()) {
      return oxide_server::not_found(kind, key, true);
    }
    return &it->second;
  }
  if (!project) {
    return oxide_server::invalid_request("when providing " + kind + " as a name, project must be specified");
  }
  auto p = project_by_key(*project);
  if (!p) {
    return tl::unexpected<oxide_server::ApiError>(p.error());
  }
  for (auto& [id, item] : items) {
    if (item.project_id == (*p)->id && item.name == key) {
      return &item;
    }
  }
  return oxide_server::not_found(kind, key, false);
}

// Page tokens are opaque to clients: hex of "<sort>|<scope>|<last key>".
std::string encode_page_token(const std::string& sort, const std::string& scope, const std::string& last);
bool decode_page_token(const std::string& token, std::string& sort, std::string& scope, std::string& last);

template<typename T>
oxide_server::Outcome<oxide_server::Reply>
OxideServer::Impl::page(oxide_server::Ctx& ctx,
                        std::vector<const T*> items,
                        const std::string& scope,
                        const std::function<oxide_server::json(const T&)>& render)
{
  std::string sort = ctx.param("sort_by").value_or("name_ascending");
  std::string last;
  if (auto token = ctx.param("page_token")) {
    std::string token_scope;
    if (!decode_page_token(*token, sort, token_scope, last) || token_scope != scope) {
      return oxide_server::invalid_request("invalid page token");
    }
  }
  std::uint64_t limit = options.default_page_limit;
  if (auto l = ctx.param("limit")) {
    try {
      limit = std::stoull(*l);
    } catch (const std::exception&) {
      return oxide_server::invalid_request("unable to parse query string: invalid limit");
    }
    if (limit == 0) {
      return oxide_server::invalid_request("unable to parse query string: limit must be at least 1");
    }
    limit = std::min<std::uint64_t>(limit, options.max_page_limit);
  }
  const bool by_id = sort == "id_ascending";
  const bool descending = sort == "name_descending";
  auto key = [by_id](const T* t) -> const std::string& { return by_id ? t->id : t->name; };
  std::sort(
    items.begin(), items.end(), [&](const T* a, const T* b) { return descending ? key(a) > key(b) : key(a) < key(b); });
  oxide_server::json list = oxide_server::json::array();
  std::string last_key;
  bool more = false;
  for (const T* item : items) {
    if (!last.empty() && (descending ? key(item) >= last : key(item) <= last)) {
      continue;
    }
    if (list.size() == limit) {
      more = true;
      break;
    }
    list.push_back(render(*item));
    last_key = key(item);
  }
  oxide_server::json body = { { "items", list } };
  body["next_page"] = more ? oxide_server::json(encode_page_token(sort, scope, last_key)) : oxide_server::json(nullptr);
  return oxide_server::Reply{ 200, body, false };
}

} // namespace ocne::test
