#include "pkg/k8s/wait.hpp"

#include "pkg/core/interrupt.hpp"
#include "tests/component/pkg/k8s/fake_api.hpp"
#include "tests/support/fake_clock.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::k8s {
namespace {

using nlohmann::json;
using test::FakeApi;

class RecordingSink : public ProgressSink
{
public:
  void
  begin(std::uint64_t, std::string_view label, std::uint64_t, ProgressUnit) override
  {
    labels.emplace_back(label);
  }
  void
  update(std::uint64_t, std::uint64_t, std::uint64_t) override
  {
  }
  void
  end(std::uint64_t, bool ok, std::string_view detail) override
  {
    results.push_back(std::string(ok ? "ok: " : "failed: ") + std::string(detail));
  }
  std::vector<std::string> labels;
  std::vector<std::string> results;
};

json
deployment(int available, const std::string& status, const std::string& reason)
{
  return { { "apiVersion", "apps/v1" },
           { "kind", "Deployment" },
           { "metadata",
             { { "name", "capi-controller-manager" }, { "namespace", "capi-system" }, { "generation", 2 } } },
           { "spec", { { "replicas", 1 } } },
           { "status",
             { { "observedGeneration", 2 },
               { "availableReplicas", available },
               { "conditions", { { { "type", "Available" }, { "status", status }, { "reason", reason } } } } } } };
}

// Waits on a fake clock: no test here sleeps.
WaitOptions
quick(int timeout_ms, ocne::test::FakeClock& clock)
{
  WaitOptions o;
  o.timeout = std::chrono::milliseconds(timeout_ms);
  o.interval = std::chrono::milliseconds(20);
  o.clock = &clock;
  return o;
}

TEST(Wait, DeploymentBecomesAvailable)
{
  std::atomic<int> gets{ 0 };
  FakeApi api;
  api.routes().Get("/apis/apps/v1/namespaces/capi-system/deployments/capi-controller-manager",
                   [&](const httplib::Request&, httplib::Response& res) {
                     const bool ready = ++gets >= 3;
                     res.set_content(deployment(ready ? 1 : 0,
                                                ready ? "True" : "False",
                                                ready ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
                                       .dump(),
                                     "application/json");
                   });
  api.start();
  Client client(api.access());
  RecordingSink sink;
  ocne::test::FakeClock clock;
  ASSERT_TRUE(wait_deployment_available(client, "capi-system", "capi-controller-manager", quick(10000, clock), sink));
  EXPECT_EQ(gets.load(), 3);
  EXPECT_EQ(clock.sleeps(), std::vector<std::chrono::milliseconds>(2, std::chrono::milliseconds(20)));
  EXPECT_EQ(sink.labels,
            std::vector<std::string>{ "Waiting for deployment capi-system/capi-controller-manager to be Available" });
  EXPECT_EQ(sink.results, std::vector<std::string>{ "ok: ok" });
}

TEST(Wait, TimeoutSaysWhatWasWaitedForAndLastSeen)
{
  FakeApi api;
  api.routes().Get("/apis/apps/v1/namespaces/capi-system/deployments/capi-controller-manager",
                   [&](const httplib::Request&, httplib::Response& res) {
                     res.set_content(deployment(0, "False", "MinimumReplicasUnavailable").dump(), "application/json");
                   });
  api.start();
  Client client(api.access());
  RecordingSink sink;
  ocne::test::FakeClock clock;
  auto status = wait_deployment_available(client, "capi-system", "capi-controller-manager", quick(300, clock), sink);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind(), ErrorKind::timeout);
  const std::string expected = "timed out after 300ms waiting for deployment capi-system/capi-controller-manager to be "
                               "Available: last seen 0/1 replicas available, condition Available=False "
                               "(MinimumReplicasUnavailable)";
  EXPECT_EQ(status.error().message(), expected);
  EXPECT_EQ(sink.results, std::vector<std::string>{ "failed: " + expected });
  EXPECT_EQ(clock.slept(), std::chrono::milliseconds(300)) << "the last look is at the deadline, not after it";
}

TEST(Wait, ConditionDeletionAndSecret)
{
  std::atomic<int> secret_gets{ 0 };
  std::atomic<int> cm_gets{ 0 };
  FakeApi api;
  api.routes().Get(
    "/api/v1/namespaces/ns/secrets/demo-kubeconfig", [&](const httplib::Request&, httplib::Response& res) {
      if (++secret_gets < 2) {
        FakeApi::not_found(res, "secrets \"demo-kubeconfig\" not found");
        return;
      }
      res.set_content(R"({"metadata":{"name":"demo-kubeconfig"},"data":{"value":"YQ=="}})", "application/json");
    });
  api.routes().Get("/api/v1/namespaces/ns/configmaps/c", [&](const httplib::Request&, httplib::Response& res) {
    if (++cm_gets < 3) {
      res.set_content(R"({"metadata":{"name":"c","deletionTimestamp":"x","finalizers":["a/b"]}})", "application/json");
      return;
    }
    FakeApi::not_found(res, "configmaps \"c\" not found");
  });
  api.routes().Get("/api/v1/namespaces/ns/configmaps/ready", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(
      R"({"metadata":{"name":"ready"},"status":{"conditions":[{"type":"Ready","status":"False","reason":"Booting"}]}})",
      "application/json");
  });
  api.start();
  Client client(api.access());
  ocne::test::FakeClock clock;
  auto secret = wait_secret(client, "ns", "demo-kubeconfig", quick(5000, clock), null_progress());
  ASSERT_TRUE(secret) << secret.error().message();
  EXPECT_EQ((*secret)["data"]["value"], "YQ==");
  ASSERT_TRUE(wait_deleted(client, { "v1", "ConfigMap", "ns", "c" }, quick(5000, clock), null_progress()));
  auto ready =
    wait_condition(client, { "v1", "ConfigMap", "ns", "ready" }, "Ready", "True", quick(200, clock), null_progress());
  ASSERT_FALSE(ready);
  EXPECT_EQ(ready.error().message(),
            "timed out after 200ms waiting for configmap ns/ready to have condition Ready=True: last seen condition "
            "Ready=False (Booting)");
}

TEST(Wait, NonTransientErrorsEndTheWaitAtOnce)
{
  FakeApi api;
  api.routes().Get("/api/v1/namespaces/ns/secrets/s", [&](const httplib::Request&, httplib::Response& res) {
    FakeApi::status(res, 403, "Forbidden", "secrets \"s\" is forbidden: User \"x\" cannot get resource");
  });
  api.start();
  Client client(api.access());
  ocne::test::FakeClock clock;
  auto secret = wait_secret(client, "ns", "s", quick(60000, clock), null_progress());
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error().kind(), ErrorKind::auth);
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(
    secret.error().message(),
    "waiting for secret ns/s to exist: get Secret ns/s: secrets \"s\" is forbidden: User \"x\" cannot get resource");
}

TEST(Wait, CtrlCEndsTheWaitWithItsOwnMessage)
{
  std::atomic<int> gets{ 0 };
  FakeApi api;
  api.routes().Get("/api/v1/namespaces/ns/secrets/s", [&](const httplib::Request&, httplib::Response& res) {
    ++gets;
    FakeApi::not_found(res, "secrets \"s\" not found");
  });
  api.start();
  Client client(api.access());
  ocne::test::FakeClock clock;
  clock.on_sleep([](std::chrono::milliseconds) { request_interrupt(); });
  RecordingSink sink;
  auto secret = wait_secret(client, "ns", "s", quick(60000, clock), sink);
  reset_interrupt();
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error().kind(), ErrorKind::cancelled);
  EXPECT_EQ(secret.error().message(), "interrupted while waiting for secret ns/s to exist");
  EXPECT_EQ(sink.results, std::vector<std::string>{ "failed: interrupted" });
  EXPECT_EQ(gets.load(), 1);
}

TEST(Wait, WaitUntilRoundsTheRestOfADeadlineUpToWholeSeconds)
{
  ocne::test::FakeClock clock;
  const auto w = wait_until(clock.now() + std::chrono::milliseconds(89500), std::chrono::milliseconds(250), &clock);
  EXPECT_EQ(w.timeout, std::chrono::seconds(90));
  EXPECT_EQ(w.interval, std::chrono::milliseconds(250));
  EXPECT_EQ(w.clock, &clock);
  EXPECT_EQ(wait_until(clock.now() - std::chrono::seconds(5), std::chrono::seconds(1), &clock).timeout,
            std::chrono::seconds(1));
}

TEST(Wait, FormatsDurations)
{
  using std::chrono::milliseconds;
  EXPECT_EQ(format_duration(milliseconds(300)), "300ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(milliseconds(45000)), "45s");
  EXPECT_EQ(format_duration(milliseconds(300000)), "5m");
  EXPECT_EQ(format_duration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(3600000)), "1h");
}

} // namespace
} // namespace ocne::k8s
