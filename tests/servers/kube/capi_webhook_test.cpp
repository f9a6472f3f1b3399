// The world's fake Cluster API webhook: conversion between v1beta1 and
// v1beta2 as Cluster API does it where ocne depends on it, lossless through
// the conversion-data annotation; and, through a Kubernetes test server,
// the cainjector and Service routing that make it live.

#include "tests/servers/kube/capi_webhook.hpp"

#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace ocne::test::kube {
namespace {

using nlohmann::json;

json
crd(const std::string& group,
    const std::string& kind,
    const std::string& plural,
    std::vector<std::string> versions,
    const std::string& storage,
    json labels = json::object(),
    json conversion = { { "strategy", "None" } })
{
  json vs = json::array();
  for (const auto& v : versions) {
    vs.push_back(
      { { "name", v },
        { "served", true },
        { "storage", v == storage },
        { "subresources", { { "status", json::object() } } },
        { "schema",
          { { "openAPIV3Schema",
              { { "type", "object" },
                { "properties",
                  { { "spec", { { "type", "object" }, { "x-kubernetes-preserve-unknown-fields", true } } },
                    { "status",
                      { { "type", "object" }, { "x-kubernetes-preserve-unknown-fields", true } } } } } } } } } });
  }
  json c = { { "apiVersion", "apiextensions.k8s.io/v1" },
             { "kind", "CustomResourceDefinition" },
             { "metadata", { { "name", plural + "." + group } } },
             { "spec",
               { { "group", group },
                 { "names", { { "kind", kind }, { "plural", plural } } },
                 { "scope", "Namespaced" },
                 { "conversion", conversion },
                 { "versions", vs } } } };
  if (!labels.empty()) {
    c["metadata"]["labels"] = labels;
  }
  return c;
}

json
cluster_v1beta2()
{
  return json::parse(R"({
    "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
    "metadata": {"name": "demo", "namespace": "ns1", "labels": {"cluster.x-k8s.io/cluster-name": "demo"}},
    "spec": {"paused": false,
             "clusterNetwork": {"pods": {"cidrBlocks": ["10.244.0.0/16"]}},
             "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "OxideCluster", "name": "demo"},
             "controlPlaneRef": {"apiGroup": "controlplane.cluster.x-k8s.io", "kind": "KubeadmControlPlane",
                                 "name": "demo-control-plane"}},
    "status": {"phase": "Provisioned",
               "initialization": {"infrastructureProvisioned": true, "controlPlaneInitialized": true},
               "conditions": [{"type": "Available", "status": "True", "reason": "Available",
                               "lastTransitionTime": "2026-01-01T00:00:00Z"}],
               "deprecated": {"v1beta1": {"conditions": [{"type": "Ready", "status": "True",
                                                            "lastTransitionTime": "2026-01-01T00:00:00Z"}]}},
               "failureDomains": [{"name": "fd1", "controlPlane": true}]}
  })");
}

class CapiWebhookTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    server.start();
    server.create(crd("infrastructure.cluster.x-k8s.io",
                      "OxideCluster",
                      "oxideclusters",
                      { "v1alpha1" },
                      "v1alpha1",
                      { { "cluster.x-k8s.io/v1beta2", "v1alpha1" } }));
    server.create(crd("controlplane.cluster.x-k8s.io",
                      "KubeadmControlPlane",
                      "kubeadmcontrolplanes",
                      { "v1beta1" },
                      "v1beta1",
                      { { "cluster.x-k8s.io/v1beta1", "v1beta1" } }));
    webhook.start();
    webhook.learn_crds(server);
  }

  KubeTestServer server;
  CapiWebhookServer webhook;
};

TEST_F(CapiWebhookTest, ClusterReferencesAndStatusConvertDownAndBackWithoutLoss)
{
  const json hub = cluster_v1beta2();
  const json spoke = webhook.convert(hub, "cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(spoke["apiVersion"], "cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(spoke["spec"]["infrastructureRef"],
            json({ { "apiVersion", "infrastructure.cluster.x-k8s.io/v1alpha1" },
                   { "kind", "OxideCluster" },
                   { "name", "demo" },
                   { "namespace", "ns1" } }));
  EXPECT_EQ(spoke["spec"]["controlPlaneRef"]["apiVersion"], "controlplane.cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(spoke["status"]["infrastructureReady"], true);
  EXPECT_EQ(spoke["status"]["controlPlaneReady"], true);
  EXPECT_EQ(spoke["status"]["conditions"][0]["type"], "Ready");
  EXPECT_EQ(spoke["status"]["v1beta2"]["conditions"][0]["type"], "Available");
  EXPECT_FALSE(spoke["status"].contains("initialization"));
  EXPECT_FALSE(spoke["status"].contains("deprecated"));
  EXPECT_TRUE(spoke["metadata"]["annotations"].contains("cluster.x-k8s.io/conversion-data"));

  const json back = webhook.convert(spoke, "cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(back, hub);

  // A change made at v1beta1 survives the way back; hub-only fields too.
  json edited = spoke;
  edited["spec"]["paused"] = true;
  const json up = webhook.convert(edited, "cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(up["spec"]["paused"], true);
  EXPECT_EQ(up["status"]["failureDomains"], hub["status"]["failureDomains"]);
}

TEST_F(CapiWebhookTest, KubeadmControlPlaneMovesItsInfrastructureRefUnderMachineTemplateSpec)
{
  const json v1beta1 = json::parse(R"({
    "apiVersion": "controlplane.cluster.x-k8s.io/v1beta1", "kind": "KubeadmControlPlane",
    "metadata": {"name": "cp", "namespace": "ns1"},
    "spec": {"replicas": 3, "version": "v1.33.0",
             "machineTemplate": {"infrastructureRef": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha1",
                                                       "kind": "OxideMachineTemplate", "name": "cp", "namespace": "ns1"}}}
  })");
  const json up = webhook.convert(v1beta1, "controlplane.cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(up["spec"]["machineTemplate"],
            json({ { "spec",
                     { { "infrastructureRef",
                         { { "apiGroup", "infrastructure.cluster.x-k8s.io" },
                           { "kind", "OxideMachineTemplate" },
                           { "name", "cp" } } } } } }));
  EXPECT_EQ(up["spec"]["replicas"], 3);
}

TEST_F(CapiWebhookTest, AReferenceToAKindWithoutACrdCannotBeConvertedDown)
{
  json hub = cluster_v1beta2();
  hub["spec"]["infrastructureRef"]["kind"] = "MissingCluster";
  try {
    webhook.convert(hub, "cluster.x-k8s.io/v1beta1");
    ADD_FAILURE() << "converted a reference to an unknown kind";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("MissingCluster.infrastructure.cluster.x-k8s.io"), std::string::npos)
      << e.what();
  }
}

TEST_F(CapiWebhookTest, ConversionGoesLiveOnceTheDeploymentIsAvailableAndTheCaInjected)
{
  // The world's pieces: deployments, endpoints and cert-manager controllers,
  // the routes and the cainjector.
  play_deployment_controller(server);
  play_endpoints_controller(server);
  play_cert_manager(server);
  play_ca_injector(server, webhook.ca_pem());
  webhook.route_webhooks(server);
  server.create(crd("cluster.x-k8s.io",
                    "Cluster",
                    "clusters",
                    { "v1beta1", "v1beta2" },
                    "v1beta2",
                    { { "cluster.x-k8s.io/v1beta2", "v1beta2" } },
                    { { "strategy", "Webhook" },
                      { "webhook",
                        { { "conversionReviewVersions", { "v1", "v1beta1" } },
                          { "clientConfig",
                            { { "service",
                                { { "namespace", "capi-system" },
                                  { "name", "capi-webhook-service" },
                                  { "path", "/convert" } } } } } } } }));
  auto annotated = *server.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "clusters.cluster.x-k8s.io");
  annotated["metadata"]["annotations"] = { { "cert-manager.io/inject-ca-from", "capi-system/capi-serving-cert" } };
  server.update(annotated);
  for (const char* ns : { "ns1", "capi-system" }) {
    server.create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", ns } } } });
  }
  server.create(cluster_v1beta2());
  server.wait_idle();
  auto read = [&] { server.get("cluster.x-k8s.io/v1beta1", "Cluster", "ns1", "demo"); };
  EXPECT_NE(error_of(read).message().find("service \"capi-webhook-service\" not found"), std::string::npos);

  server.create(json::parse(R"({"apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "capi-webhook-service", "namespace": "capi-system"},
    "spec": {"ports": [{"port": 443, "targetPort": "webhook-server"}], "selector": {"cluster.x-k8s.io/provider": "cluster-api"}}})"));
  server.create(json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "capi-controller-manager", "namespace": "capi-system"},
    "spec": {"selector": {"matchLabels": {"cluster.x-k8s.io/provider": "cluster-api"}},
             "template": {"metadata": {"labels": {"cluster.x-k8s.io/provider": "cluster-api"}},
                          "spec": {"containers": [{"name": "manager", "image": "capi:1.13"}]}}}})"));
  server.wait_idle();
  EXPECT_NE(error_of(read).message().find("x509: certificate signed by unknown authority"), std::string::npos)
    << "no CA injected before cert-manager runs";

  // cert-manager comes, issues the Certificate; the cainjector injects.
  server.create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "cert-manager" } } } });
  server.create(crd("cert-manager.io", "Certificate", "certificates", { "v1" }, "v1"));
  server.create(crd("cert-manager.io", "Issuer", "issuers", { "v1" }, "v1"));
  json cluster_issuers = crd("cert-manager.io", "ClusterIssuer", "clusterissuers", { "v1" }, "v1");
  cluster_issuers["spec"]["scope"] = "Cluster";
  server.create(cluster_issuers);
  server.wait_idle();
  server.create({ { "apiVersion", "cert-manager.io/v1" },
                  { "kind", "Certificate" },
                  { "metadata", { { "name", "capi-serving-cert" }, { "namespace", "capi-system" } } },
                  { "spec", { { "secretName", "capi-webhook-service-cert" } } } });
  for (const char* name : { "cert-manager", "cert-manager-cainjector", "cert-manager-webhook" }) {
    server.create(
      { { "apiVersion", "apps/v1" },
        { "kind", "Deployment" },
        { "metadata", { { "name", name }, { "namespace", "cert-manager" } } },
        { "spec",
          { { "selector", { { "matchLabels", { { "app", name } } } } },
            { "template",
              { { "metadata", { { "labels", { { "app", name } } } } },
                { "spec", { { "containers", { { { "name", "c" }, { "image", "cm:1.19" } } } } } } } } } } });
  }
  for (int i = 0; i < 5; ++i) {
    server.wait_idle();
  }
  const auto cluster = server.get("cluster.x-k8s.io/v1beta1", "Cluster", "ns1", "demo");
  ASSERT_TRUE(cluster);
  EXPECT_EQ((*cluster)["spec"]["infrastructureRef"]["apiVersion"], "infrastructure.cluster.x-k8s.io/v1alpha1");
  EXPECT_GE(webhook.conversion_reviews(), 1);
  EXPECT_TRUE(server.get("v1", "Secret", "cert-manager", "cert-manager-webhook-ca"));
}

} // namespace
} // namespace ocne::test::kube
