#include "pkg/k8s/client.hpp"
#include "tests/component/pkg/k8s/fake_api.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::k8s {
namespace {

using nlohmann::json;
using test::FakeApi;

json
cm(const std::string& name, int rv)
{
  return { { "apiVersion", "v1" },
           { "kind", "ConfigMap" },
           { "metadata", { { "name", name }, { "namespace", "ns" }, { "resourceVersion", std::to_string(rv) } } } };
}

std::string
event(const std::string& type, const json& object)
{
  return json({ { "type", type }, { "object", object } }).dump() + "\n";
}

void
stream(httplib::Response& res, std::string body)
{
  res.set_chunked_content_provider("application/json", [body](std::size_t, httplib::DataSink& sink) {
    sink.write(body.data(), body.size());
    sink.done();
    return true;
  });
}

TEST(Watch, ReconnectsFromTheLastVersionAndRelistsAfterGone)
{
  std::atomic<int> lists{ 0 };
  std::vector<std::string> watch_versions;
  std::mutex mutex;
  FakeApi api;
  api.routes().Get("/api/v1/namespaces/ns/configmaps", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("watch") != "true") {
      const int n = ++lists;
      json items = n == 1 ? json::array({ cm("a", 10), cm("b", 11) }) : json::array({ cm("a", 12), cm("c", 13) });
      res.set_content(json({ { "kind", "ConfigMapList" },
                             { "metadata", { { "resourceVersion", n == 1 ? "11" : "13" } } },
                             { "items", items } })
                        .dump(),
                      "application/json");
      return;
    }
    const auto rv = req.get_param_value("resourceVersion");
    {
      const std::lock_guard lock(mutex);
      watch_versions.push_back(rv);
    }
    if (rv == "11") {
      stream(res, event("MODIFIED", cm("a", 12))); // then the stream ends
    } else if (rv == "12") {
      stream(res,
             event("ERROR",
                   { { "kind", "Status" },
                     { "code", 410 },
                     { "reason", "Expired" },
                     { "message", "too old resource version" } }));
    } else {
      stream(res,
             event("BOOKMARK", { { "kind", "ConfigMap" }, { "metadata", { { "resourceVersion", "14" } } } }) +
               event("ADDED", cm("d", 14)));
    }
  });
  api.start();
  Client client(api.access());
  WatchOptions options;
  options.list.namespace_ = "ns";
  options.timeout = std::chrono::seconds(20);
  options.reconnect_delay = std::chrono::milliseconds(1);
  std::vector<std::string> seen;
  WatchStats stats;
  auto status = client.watch(
    { "", "v1", "ConfigMap" },
    options,
    [&](const WatchEvent& e) {
      const char* names[] = { "ADDED", "MODIFIED", "DELETED", "BOOKMARK" };
      seen.push_back(std::string(names[static_cast<int>(e.type)]) + " " + string_at(*e.object, "/metadata/name"));
      return string_at(*e.object, "/metadata/name") != "d";
    },
    &stats);
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(
    seen,
    (std::vector<std::string>{ "ADDED a", "ADDED b", "MODIFIED a", "ADDED c", "DELETED b", "BOOKMARK ", "ADDED d" }));
  EXPECT_EQ(stats.relists, 1);
  EXPECT_EQ(stats.reconnects, 1);
  EXPECT_EQ(watch_versions, (std::vector<std::string>{ "11", "12", "13" }));
  EXPECT_EQ(lists.load(), 2);
}

TEST(Watch, ResumesAfterTheConnectionDropsMidStream)
{
  std::atomic<int> watches{ 0 };
  std::vector<std::string> versions;
  std::mutex mutex;
  FakeApi api;
  ocne::test::FaultInjector* faults = &api.faults();
  api.routes().Get("/api/v1/namespaces/ns/configmaps", [&](const httplib::Request& req, httplib::Response& res) {
    const auto rv = req.get_param_value("resourceVersion");
    {
      const std::lock_guard lock(mutex);
      versions.push_back(rv);
    }
    const int n = ++watches;
    if (n == 1) {
      // The next request on this path is cut off mid-body.
      ocne::test::Fault reset;
      reset.kind = ocne::test::Fault::Kind::drop_mid_body;
      faults->fail_next(1, reset, "GET", "/api/v1/namespaces/ns/configmaps");
      stream(res, event("ADDED", cm("x", 5)));
      return;
    }
    stream(res, event("MODIFIED", cm("x", 6)));
  });
  api.start();
  Client client(api.access());
  WatchOptions options;
  options.list.namespace_ = "ns";
  options.resource_version = "4";
  options.timeout = std::chrono::seconds(20);
  options.reconnect_delay = std::chrono::milliseconds(1);
  WatchStats stats;
  std::vector<std::string> rvs;
  auto status = client.watch(
    { "", "v1", "ConfigMap" },
    options,
    [&](const WatchEvent& e) {
      rvs.push_back(string_at(*e.object, "/metadata/resourceVersion"));
      return rvs.size() < 2;
    },
    &stats);
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(rvs, (std::vector<std::string>{ "5", "6" }));
  EXPECT_EQ(api.faults().injected(), 1);
  // The dropped request (rv 5) never reached the handler; the resumed one did.
  EXPECT_EQ(versions, (std::vector<std::string>{ "4", "5" }));
  EXPECT_EQ(stats.reconnects, 2);
}

TEST(Watch, GivesUpAtTheTimeout)
{
  FakeApi api;
  api.routes().Get("/api/v1/namespaces/ns/configmaps",
                   [&](const httplib::Request&, httplib::Response& res) { stream(res, ""); });
  api.start();
  Client client(api.access());
  WatchOptions options;
  options.list.namespace_ = "ns";
  options.resource_version = "1";
  options.timeout = std::chrono::milliseconds(300);
  options.reconnect_delay = std::chrono::milliseconds(20);
  auto status = client.watch({ "", "v1", "ConfigMap" }, options, [](const WatchEvent&) { return true; });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind(), ErrorKind::timeout);
  EXPECT_EQ(status.error().message(), "watch ConfigMap: no end after 300 ms");
}

} // namespace
} // namespace ocne::k8s
