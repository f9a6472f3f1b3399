// What the kubectl tests check, through the server's own API, so it is
// covered where kubectl is not installed (a plain Debian 12 machine has no
// apt source with a recent kubectl; see README.md).

#include "tests/servers/kube/api_error.hpp"
#include "tests/servers/kube/error_of.hpp"
#include "tests/servers/kube/json_util.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace ocne::test::kube {
namespace {

std::vector<Json>
documents(const std::filesystem::path& file)
{
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_documents(text);
}

std::filesystem::path
crd(const std::string& provider, const std::string& file)
{
  return shared_path("crds") / provider / file;
}

TEST(SharedCrds, EveryOneAppliesServerSideIsEstablishedAndServed)
{
  OCNE_REQUIRE_SHARED();
  KubeTestServer server;
  server.start();
  std::vector<std::string> names;
  for (const char* provider : { "capi", "oci", "oxide" }) {
    for (const auto& f : std::filesystem::directory_iterator(shared_path("crds") / provider)) {
      if (f.path().extension() != ".yaml") {
        continue;
      }
      for (const auto& doc : documents(f.path())) {
        ASSERT_NO_THROW(server.apply(doc, "kubectl", true)) << f.path();
        names.push_back(doc["metadata"]["name"]);
      }
    }
  }
  ASSERT_GE(names.size(), 20u);
  server.wait_idle();
  EXPECT_EQ(server.list("apiextensions.k8s.io/v1", "CustomResourceDefinition").size(), names.size());
  const auto established = [&](const std::string& name) {
    const auto c = server.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name);
    if (!c || !c->contains("status") || !(*c)["status"].contains("conditions")) {
      return false;
    }
    for (const auto& cond : (*c)["status"]["conditions"]) {
      if (cond.value("type", "") == "Established" && cond.value("status", "") == "True") {
        return true;
      }
    }
    return false;
  };
  for (const auto& name : names) {
    bool ok = established(name);
    for (int i = 0; i < 250 && !ok; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ok = established(name);
    }
    EXPECT_TRUE(ok) << name << " was never Established";
  }
  // Served: a Cluster and an OxideCluster list (empty) instead of 404.
  EXPECT_NO_THROW(server.list("cluster.x-k8s.io/v1beta2", "Cluster", "default"));
  // Applying the same CRD again changes nothing and succeeds.
  EXPECT_NO_THROW(server.apply(documents(crd("capi", "cluster.x-k8s.io_clusters.yaml")).at(0), "kubectl", true));
}

TEST(SharedCrds, AHugeLastAppliedAnnotationIsTooLong)
{
  OCNE_REQUIRE_SHARED();
  KubeTestServer server;
  server.start();
  // What client-side apply would send: the whole CRD in an annotation,
  // larger than the 256 KiB kube-apiserver allows.
  Json big = documents(crd("capi", "controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml")).at(0);
  big["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = big.dump();
  const auto e = error_of([&] { server.create(big); });
  EXPECT_EQ(e.code(), 422);
  EXPECT_NE(e.message().find("metadata.annotations: Too long: must have at most 262144 bytes"), std::string::npos)
    << e.message();
}

TEST(SharedCrds, SchemaViolationsAreRejectedWithTheFieldPath)
{
  OCNE_REQUIRE_SHARED();
  ServerOptions o;
  o.crd_paths = { crd("capi", "cluster.x-k8s.io_clusters.yaml") };
  KubeTestServer server(o);
  server.start();
  Json cluster = { { "apiVersion", "cluster.x-k8s.io/v1beta1" },
                   { "kind", "Cluster" },
                   { "metadata", { { "name", "demo" }, { "namespace", "default" } } },
                   { "spec", { { "controlPlaneEndpoint", { { "host", "10.0.0.1" }, { "port", "6443" } } } } } };
  const auto e = error_of([&] { server.create(cluster); });
  EXPECT_EQ(e.code(), 422);
  EXPECT_NE(e.message().find("spec.controlPlaneEndpoint.port: Invalid value: \"string\": "
                             "spec.controlPlaneEndpoint.port in body must be of type integer: \"string\""),
            std::string::npos)
    << e.message();
  EXPECT_FALSE(server.get("cluster.x-k8s.io/v1beta1", "Cluster", "default", "demo"));
  cluster["spec"]["controlPlaneEndpoint"]["port"] = 6443;
  EXPECT_NO_THROW(server.create(cluster));
}

TEST(SharedCrds, ServerSideApplyConflictsAndForceTakesOver)
{
  KubeTestServer server;
  server.start();
  const auto cm = [](const std::string& color) {
    return Json{ { "apiVersion", "v1" },
                 { "kind", "ConfigMap" },
                 { "metadata", { { "name", "shared" }, { "namespace", "default" } } },
                 { "data", { { "color", color } } } };
  };
  server.apply(cm("blue"), "alice", false);
  const auto e = error_of([&] { server.apply(cm("red"), "bob", false); });
  EXPECT_EQ(e.code(), 409);
  EXPECT_NE(e.message().find("conflict with \"alice\""), std::string::npos) << e.message();
  EXPECT_NE(e.message().find(".data.color"), std::string::npos) << e.message();
  EXPECT_EQ(server.get("v1", "ConfigMap", "default", "shared")->at("data").at("color"), "blue");
  server.apply(cm("red"), "bob", true);
  const auto now = *server.get("v1", "ConfigMap", "default", "shared");
  EXPECT_EQ(now["data"]["color"], "red");
  ASSERT_EQ(now["metadata"]["managedFields"].size(), 1u) << now.dump(2);
  EXPECT_EQ(now["metadata"]["managedFields"][0]["manager"], "bob");
}

} // namespace
} // namespace ocne::test::kube
