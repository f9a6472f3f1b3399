// providers.<p>.proxy reaching the Cluster API controllers: HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY in every container of every Deployment of the
// stack's providers, never in cert-manager's.

#include "pkg/clusterctl/components.hpp"
#include "pkg/clusterctl/installer.hpp"
#include "providers/oci/credentials.hpp"
#include "tests/support/components_release.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ocne::clusterctl {
namespace {

using json = nlohmann::json;

const Component&
row(const std::string& provider, const std::string& label)
{
  for (const auto& c : test::stack_of(provider).components) {
    if (c.label == label) {
      return c;
    }
  }
  throw std::runtime_error("no " + label);
}

ProcessOptions
options_with(std::map<std::string, std::string, std::less<>> values, ControllerProxy proxy)
{
  ProcessOptions o;
  o.variables = [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    if (const auto it = values.find(name); it != values.end()) {
      return it->second;
    }
    return std::nullopt;
  };
  o.proxy = std::move(proxy);
  return o;
}

const json*
find(const ProcessedComponent& p, const std::string& kind, const std::string& name)
{
  for (const auto& o : p.objects) {
    if (o["kind"] == kind && o["metadata"].value("name", "") == name) {
      return &o;
    }
  }
  return nullptr;
}

// name -> value of a container's env (valueFrom entries as their JSON).
std::map<std::string, std::string>
env_of(const json& container)
{
  std::map<std::string, std::string> out;
  for (const auto& e : container.value("env", json::array())) {
    out[e.value("name", "")] = e.contains("value") ? e["value"].get<std::string>() : e["valueFrom"].dump();
  }
  return out;
}

const ControllerProxy k_proxy{ "http://proxy.example.com:3128",
                               "http://plain.example.com:8080",
                               "10.96.0.0/12,.svc,.cluster.local" };

// Two containers (one with its own env, one with none), an init container,
// an entry of the same name as ocne's that reads a Secret, and a DaemonSet
// that is not a controller.
const char* const k_release = R"(apiVersion: v1
kind: Namespace
metadata: {name: capi-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: capi-controller-manager, namespace: capi-system}
spec:
  selector: {matchLabels: {app: m}}
  template:
    metadata: {labels: {app: m}}
    spec:
      initContainers:
        - name: init
          image: registry.k8s.io/cluster-api/cluster-api-controller:v1.10.8
      containers:
        - name: manager
          image: registry.k8s.io/cluster-api/cluster-api-controller:v1.10.8
          env:
            - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
            - {name: HTTPS_PROXY, valueFrom: {secretKeyRef: {name: old, key: proxy}}}
            - {name: AFTER, value: kept}
        - name: sidecar
          image: registry.k8s.io/cluster-api/cluster-api-controller:v1.10.8
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: not-a-controller, namespace: capi-system}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers:
        - {name: d, image: registry.k8s.io/pause:3.10}
)";

TEST(ProcessComponent, TheControllersProxyReachesEveryContainerOfEveryDeploymentReplacingItsOwnEntry)
{
  const auto& core = row("oci", "cluster-api");
  auto p = process_component(core, k_release, "core.yaml", options_with({}, k_proxy));
  ASSERT_TRUE(p) << p.error().message();
  const json* d = find(*p, "Deployment", "capi-controller-manager");
  ASSERT_NE(d, nullptr);
  const json& spec = (*d)["spec"]["template"]["spec"];
  // The existing HTTPS_PROXY entry is replaced where it was; the others are
  // appended in a fixed order; the container's own entries stay.
  const json manager_env = json::parse(R"([
    {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
    {"name": "HTTPS_PROXY", "value": "http://proxy.example.com:3128"},
    {"name": "AFTER", "value": "kept"},
    {"name": "HTTP_PROXY", "value": "http://plain.example.com:8080"},
    {"name": "NO_PROXY", "value": "10.96.0.0/12,.svc,.cluster.local"}
  ])");
  EXPECT_EQ(spec["containers"][0].value("env", json()), manager_env) << spec.dump(2);
  const json fresh_env = json::parse(R"([
    {"name": "HTTPS_PROXY", "value": "http://proxy.example.com:3128"},
    {"name": "HTTP_PROXY", "value": "http://plain.example.com:8080"},
    {"name": "NO_PROXY", "value": "10.96.0.0/12,.svc,.cluster.local"}
  ])");
  EXPECT_EQ(spec["containers"][1].value("env", json()), fresh_env) << spec.dump(2);
  EXPECT_EQ(spec["initContainers"][0].value("env", json()), fresh_env) << spec.dump(2);
  // Only Deployments are the controllers.
  const json* ds = find(*p, "DaemonSet", "not-a-controller");
  ASSERT_NE(ds, nullptr);
  EXPECT_FALSE((*ds)["spec"]["template"]["spec"]["containers"][0].contains("env")) << ds->dump(2);

  // The same input gives the same objects: a rerun has nothing to change.
  auto again = process_component(core, k_release, "core.yaml", options_with({}, k_proxy));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(json(again->objects), json(p->objects));
}

TEST(ProcessComponent, EmptyProxyValuesAddNothing)
{
  const auto& core = row("oci", "cluster-api");
  auto none = process_component(core, k_release, "core.yaml", options_with({}, {}));
  ASSERT_TRUE(none) << none.error().message();
  const json* d = find(*none, "Deployment", "capi-controller-manager");
  ASSERT_NE(d, nullptr);
  const json& spec = (*d)["spec"]["template"]["spec"];
  EXPECT_FALSE(spec["containers"][1].contains("env")) << spec.dump(2);
  EXPECT_FALSE(spec["initContainers"][0].contains("env")) << spec.dump(2);
  EXPECT_EQ(env_of(spec["containers"][0]).at("HTTPS_PROXY"), R"({"secretKeyRef":{"key":"proxy","name":"old"}})");
  EXPECT_EQ(env_of(spec["containers"][0]).size(), 3U);

  // Only the value that is set, and only its variable.
  auto only_no_proxy = process_component(core, k_release, "core.yaml", options_with({}, { "", "", "example.com" }));
  ASSERT_TRUE(only_no_proxy) << only_no_proxy.error().message();
  const json& s2 = (*find(*only_no_proxy, "Deployment", "capi-controller-manager"))["spec"]["template"]["spec"];
  EXPECT_EQ(s2["containers"][1].value("env", json()), json::parse(R"([{"name": "NO_PROXY", "value": "example.com"}])"));
  EXPECT_EQ(env_of(s2["containers"][0]).at("HTTPS_PROXY"), R"({"secretKeyRef":{"key":"proxy","name":"old"}})");
}

// The real release files of both stacks: every container of every provider
// Deployment gets the proxy, cert-manager's Deployments get nothing.
TEST(ProcessComponent, EveryProviderControllerOfBothStacksGetsTheProxyAndCertManagerNone)
{
  OCNE_REQUIRE_SHARED();
  for (const auto& provider : test::stack_names()) {
    const auto files = test::stack_release_files(provider);
    int controllers = 0;
    for (const auto& c : test::stack_of(provider).components) {
      auto values = providers::oci::credential_values("t", "u", "f", "r", "k", "");
      for (const auto& [k, v] : c.variables) {
        values[k] = v;
      }
      auto p = process_component(
        c, files.at(c.label + "/" + c.version + "/" + c.components), c.label, options_with(values, k_proxy));
      ASSERT_TRUE(p) << p.error().message();
      ASSERT_FALSE(p->deployments.empty()) << provider << " " << c.label;
      for (const auto& ref : p->deployments) {
        const json* d = find(*p, "Deployment", ref.name);
        ASSERT_NE(d, nullptr) << ref.name;
        for (const auto& container : (*d)["spec"]["template"]["spec"]["containers"]) {
          const auto env = env_of(container);
          const std::string where = provider + " " + ref.name + " " + container.value("name", "");
          if (c.type == ProviderType::cert_manager) {
            EXPECT_FALSE(env.contains("HTTPS_PROXY")) << where;
            EXPECT_FALSE(env.contains("HTTP_PROXY")) << where;
            EXPECT_FALSE(env.contains("NO_PROXY")) << where;
          } else {
            EXPECT_EQ(env.count("HTTPS_PROXY") ? env.at("HTTPS_PROXY") : "", k_proxy.https_proxy) << where;
            EXPECT_EQ(env.count("HTTP_PROXY") ? env.at("HTTP_PROXY") : "", k_proxy.http_proxy) << where;
            EXPECT_EQ(env.count("NO_PROXY") ? env.at("NO_PROXY") : "", k_proxy.no_proxy) << where;
            ++controllers;
          }
        }
      }
    }
    // core, infrastructure, bootstrap and control plane.
    EXPECT_EQ(controllers, 4) << provider;
  }
}

} // namespace
} // namespace ocne::clusterctl
