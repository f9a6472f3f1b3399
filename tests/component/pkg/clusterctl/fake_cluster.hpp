#pragma once

// A small in-memory API server for unit tests of code that needs real
// storage semantics (move): typed discovery from registered types and CRDs,
// create/get/list/replace/merge-patch/apply/delete with uids and
// resourceVersions, label selectors, status subresources and finalizers.
// The full-fidelity server is tests/servers/kube; this one only has to be
// honest about what move relies on.

#include "pkg/k8s/kubeconfig.hpp"
#include "tests/support/http_server.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ocne::clusterctl::test {

struct FakeType
{
  std::string group;
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced = true;
  bool status = true;
};

class FakeCluster
{
public:
  FakeCluster();
  ~FakeCluster();
  FakeCluster(const FakeCluster&) = delete;
  FakeCluster& operator=(const FakeCluster&) = delete;

  void add_type(FakeType type);
  void start();
  k8s::ClusterAccess access(const std::string& context) const;
  ocne::test::FaultInjector& faults();
  // Called (on the server's thread, before the request is served) with the
  // method and path of every API request; set before start().
  void on_request(std::function<void(const std::string& method, const std::string& path)> hook);

  // Direct access (no HTTP), with the same bookkeeping.
  nlohmann::json create(nlohmann::json object);
  // A JSON merge patch of the object (metadata and spec).
  void patch(const std::string& api_version,
             const std::string& kind,
             const std::string& ns,
             const std::string& name,
             const nlohmann::json& patch);
  void set_status(const std::string& api_version,
                  const std::string& kind,
                  const std::string& ns,
                  const std::string& name,
                  const nlohmann::json& status);
  std::optional<nlohmann::json> get(const std::string& api_version,
                                    const std::string& kind,
                                    const std::string& ns,
                                    const std::string& name) const;
  std::vector<nlohmann::json> list(const std::string& api_version,
                                   const std::string& kind,
                                   const std::string& ns) const;

private:
  struct Path;
  void handle(const httplib::Request& req, httplib::Response& res);
  std::optional<FakeType> find_type(const std::string& group,
                                    const std::string& version,
                                    const std::string& plural) const;
  std::optional<FakeType> find_kind(const std::string& group, const std::string& kind) const;
  nlohmann::json store_new(nlohmann::json object, const FakeType& type);
  static std::string key(const FakeType& t, const std::string& ns, const std::string& name);

  mutable std::mutex m_mutex;
  std::vector<FakeType> m_types;
  std::map<std::string, nlohmann::json> m_objects;
  std::uint64_t m_version = 100;
  std::uint64_t m_uid = 0;
  std::string m_uid_prefix;
  std::function<void(const std::string&, const std::string&)> m_on_request;
  ocne::test::TestHttpServer m_server;
};

} // namespace ocne::clusterctl::test
