#pragma once

// A hand-scripted API server for client unit tests: discovery documents
// for a few types and a log of requests. Each test adds the routes it needs.

#include "pkg/k8s/kubeconfig.hpp"
#include "tests/support/http_server.hpp"

#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace ocne::k8s::test {

struct SeenRequest
{
  std::string method;
  std::string path;
  std::string query; // "a=1&b=2" as received (decoded params joined)
  std::string content_type;
  std::string authorization;
  std::string body;
};

class FakeApi
{
public:
  FakeApi()
  {
    auto& r = m_server.routes();
    r.set_tcp_nodelay(true); // else each answer waits out a delayed ACK
    // Recorded before the answer goes out, so a test sees every request it
    // made once its call returned.
    r.set_post_routing_handler([this](const httplib::Request& req, httplib::Response&) { record(req); });
    r.Get("/version", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"major":"1","minor":"33","gitVersion":"v1.33.1"})", "application/json");
    });
    r.Get("/api/v1", [this](const httplib::Request&, httplib::Response& res) {
      ++core_discovery;
      res.set_content(
        nlohmann::json({ { "kind", "APIResourceList" },
                         { "groupVersion", "v1" },
                         { "resources",
                           { { { "name", "namespaces" }, { "kind", "Namespace" }, { "namespaced", false } },
                             { { "name", "configmaps" }, { "kind", "ConfigMap" }, { "namespaced", true } },
                             { { "name", "secrets" }, { "kind", "Secret" }, { "namespaced", true } } } } })
          .dump(),
        "application/json");
    });
    r.Get("/apis/apps/v1", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
        nlohmann::json(
          { { "kind", "APIResourceList" },
            { "groupVersion", "apps/v1" },
            { "resources",
              { { { "name", "deployments" }, { "kind", "Deployment" }, { "namespaced", true } },
                { { "name", "deployments/status" }, { "kind", "Deployment" }, { "namespaced", true } } } } })
          .dump(),
        "application/json");
    });
    r.Get("/apis/example.com/v1", [this](const httplib::Request&, httplib::Response& res) {
      ++example_discovery;
      if (!widgets_installed) {
        not_found(res, "the server could not find the requested resource");
        return;
      }
      res.set_content(
        nlohmann::json({ { "kind", "APIResourceList" },
                         { "groupVersion", "example.com/v1" },
                         { "resources",
                           { { { "name", "widgets" }, { "kind", "Widget" }, { "namespaced", true } },
                             { { "name", "widgets/status" }, { "kind", "Widget" }, { "namespaced", true } },
                             { { "name", "gadgets" }, { "kind", "Gadget" }, { "namespaced", false } } } } })
          .dump(),
        "application/json");
    });
  }

  ~FakeApi()
  {
    m_server.stop();
  }
  FakeApi(const FakeApi&) = delete;
  FakeApi& operator=(const FakeApi&) = delete;

  static void
  status(httplib::Response& res, int code, const std::string& reason, const std::string& message)
  {
    res.status = code;
    res.set_content(nlohmann::json({ { "kind", "Status" },
                                     { "apiVersion", "v1" },
                                     { "status", "Failure" },
                                     { "message", message },
                                     { "reason", reason },
                                     { "code", code } })
                      .dump(),
                    "application/json");
  }
  static void
  not_found(httplib::Response& res, const std::string& message)
  {
    status(res, 404, "NotFound", message);
  }

  httplib::Server&
  routes()
  {
    return m_server.routes();
  }
  ocne::test::FaultInjector&
  faults()
  {
    return m_server.faults();
  }
  void
  start()
  {
    m_server.start();
  }
  std::string
  url() const
  {
    return m_server.url();
  }

  ClusterAccess
  access() const
  {
    ClusterAccess a;
    a.server = url();
    a.token = Secret("test-token");
    a.context = "fake";
    a.file = "/tmp/fake-kubeconfig";
    return a;
  }

  std::vector<SeenRequest>
  seen() const
  {
    const std::lock_guard lock(m_mutex);
    return m_seen;
  }
  // Requests with this method whose path starts with prefix.
  std::vector<SeenRequest>
  seen(const std::string& method, const std::string& prefix) const
  {
    std::vector<SeenRequest> out;
    for (const auto& s : seen()) {
      if (s.method == method && s.path.rfind(prefix, 0) == 0) {
        out.push_back(s);
      }
    }
    return out;
  }

  std::atomic<int> core_discovery{ 0 };
  std::atomic<int> example_discovery{ 0 };
  std::atomic<bool> widgets_installed{ false };

private:
  void
  record(const httplib::Request& req)
  {
    SeenRequest s;
    s.method = req.method;
    s.path = req.path;
    std::string q;
    for (const auto& [k, v] : req.params) {
      q += (q.empty() ? "" : "&") + k + "=" + v;
    }
    s.query = q;
    s.content_type = req.get_header_value("Content-Type");
    s.authorization = req.get_header_value("Authorization");
    s.body = req.body;
    const std::lock_guard lock(m_mutex);
    m_seen.push_back(std::move(s));
  }

  mutable std::mutex m_mutex;
  std::vector<SeenRequest> m_seen;
  // Last: destroyed (and stopped) first, while what its handlers touch lives.
  ocne::test::TestHttpServer m_server;
};

} // namespace ocne::k8s::test
