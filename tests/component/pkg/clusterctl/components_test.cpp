#include "pkg/clusterctl/components.hpp"

#include "pkg/k8s/yaml.hpp"
#include "tests/support/components_release.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

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
with_values(std::map<std::string, std::string, std::less<>> values)
{
  ProcessOptions o;
  o.variables = [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    if (const auto it = values.find(name); it != values.end()) {
      return it->second;
    }
    return std::nullopt;
  };
  return o;
}

ProcessOptions
stack_values(const Component& c)
{
  std::map<std::string, std::string, std::less<>> values;
  for (const auto& [k, v] : c.variables) {
    values[k] = v;
  }
  return with_values(values);
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

json
crd_schema(const json& crd, const std::string& version)
{
  for (const auto& v : crd["spec"]["versions"]) {
    if (v["name"] == version) {
      return v["schema"]["openAPIV3Schema"];
    }
  }
  return nullptr;
}

TEST(ProcessComponent, OracleCoreGetsItsImagesLabelsOrderAndInventory)
{
  OCNE_REQUIRE_SHARED();
  const auto& core = row("oci", "cluster-api");
  const auto text = test::shared_component("capi-ocne-v1.10.8-core-components.yaml");
  // Upstream's file names upstream's image; the stack points it at Oracle's.
  std::string upstream = text;
  const std::string oracle = "container-registry.oracle.com/olcne/cluster-api-controller:v1.10.8";
  upstream.replace(upstream.find(oracle), oracle.size(), "registry.k8s.io/cluster-api/cluster-api-controller:v1.10.8");
  auto p = process_component(core, upstream, "core-components.yaml", stack_values(core));
  ASSERT_TRUE(p) << p.error().message();

  EXPECT_EQ(p->target_namespace, "capi-system");
  EXPECT_EQ(p->images, std::vector<std::string>{ oracle });
  // Every ${VAR} got its default: the feature gates as Oracle's chart sets them.
  const json* manager = find(*p, "Deployment", "capi-controller-manager");
  ASSERT_NE(manager, nullptr);
  const std::string args = manager->dump();
  EXPECT_EQ(args.find("${"), std::string::npos);
  EXPECT_NE(args.find("--feature-gates=MachinePool=true,ClusterResourceSet=true,ClusterTopology=false"),
            std::string::npos)
    << args;
  // Namespace first, then cert-manager objects, then the rest; every object labelled.
  ASSERT_FALSE(p->objects.empty());
  EXPECT_EQ(p->objects.front()["kind"], "Namespace");
  int last_rank = 0;
  for (const auto& o : p->objects) {
    const std::string api = o["apiVersion"];
    const int rank = o["kind"] == "Namespace" ? 0 : api.starts_with("cert-manager.io/") ? 1 : 2;
    EXPECT_GE(rank, last_rank) << o["kind"] << " " << o["metadata"]["name"];
    last_rank = rank;
    EXPECT_EQ(o["metadata"]["labels"]["clusterctl.cluster.x-k8s.io"], "");
    EXPECT_EQ(o["metadata"]["labels"]["cluster.x-k8s.io/provider"], "cluster-api");
    if (o["kind"] != "Namespace" && o["kind"] != "CustomResourceDefinition" && o["kind"] != "ClusterRole" &&
        o["kind"] != "ClusterRoleBinding" && o["kind"] != "ValidatingWebhookConfiguration" &&
        o["kind"] != "MutatingWebhookConfiguration") {
      EXPECT_EQ(o["metadata"].value("namespace", ""), "capi-system") << o["kind"];
    }
  }
  EXPECT_EQ(p->inventory, json::parse(R"({"apiVersion":"clusterctl.cluster.x-k8s.io/v1alpha3","kind":"Provider",
              "metadata":{"name":"cluster-api","namespace":"capi-system",
                "labels":{"clusterctl.cluster.x-k8s.io":"","cluster.x-k8s.io/provider":"cluster-api"}},
              "providerName":"cluster-api","type":"CoreProvider","version":"v1.10.8"})"));
  EXPECT_EQ(p->deployments.size(), 1u);
  ASSERT_EQ(p->webhook_services.size(), 1u);
  EXPECT_EQ(p->webhook_services[0], (ServiceRef{ "capi-system", "capi-webhook-service" }));
  EXPECT_GT(p->crds.size(), 10u);
}

TEST(ProcessComponent, KubeadmCrdsGetOraclesIgnitionFieldsAsTheSharedPatchedFilesHaveThem)
{
  OCNE_REQUIRE_SHARED();
  for (const auto& [label, file] : std::map<std::string, std::string>{
         { "bootstrap-kubeadm", "capi-ocne-v1.10.8-bootstrap-components.yaml" },
         { "control-plane-kubeadm", "capi-ocne-v1.10.8-control-plane-components.yaml" } }) {
    SCOPED_TRACE(label);
    const auto& c = row("oci", label);
    const auto patched = test::shared_component(file);
    const auto upstream = test::without_ignition_fields(patched);
    ASSERT_EQ(upstream.find("Variant selects"), std::string::npos);
    auto p = process_component(c, upstream, file, stack_values(c));
    ASSERT_TRUE(p) << p.error().message();
    // What clusterctl makes of the shared file: its variables substituted
    // ("$$" in CRD descriptions becomes "$", as drone/envsubst does).
    auto processed_text = substitute_variables(patched, stack_values(c).variables, file);
    ASSERT_TRUE(processed_text) << processed_text.error().message();
    auto expected = k8s::parse_yaml_stream(*processed_text, file);
    ASSERT_TRUE(expected);
    int compared = 0;
    for (const auto& want : *expected) {
      if (want["kind"] != "CustomResourceDefinition") {
        continue;
      }
      const json* got = find(*p, "CustomResourceDefinition", want["metadata"]["name"]);
      ASSERT_NE(got, nullptr);
      for (const auto& v : want["spec"]["versions"]) {
        EXPECT_EQ(crd_schema(*got, v["name"]), v["schema"]["openAPIV3Schema"])
          << want["metadata"]["name"] << " " << v["name"];
        ++compared;
      }
    }
    EXPECT_GE(compared, 4);
    // And the feature gate that turns the Ignition renderer on.
    const json* manager = p->deployments.empty() ? nullptr : find(*p, "Deployment", p->deployments[0].name);
    ASSERT_NE(manager, nullptr);
    EXPECT_NE(manager->dump().find("KubeadmBootstrapFormatIgnition=true"), std::string::npos);
  }
}

TEST(ProcessComponent, AMissingCrdPatchTargetIsAnError)
{
  OCNE_REQUIRE_SHARED();
  const auto& c = row("oci", "bootstrap-kubeadm");
  // The core file has none of the kubeadm CRDs.
  auto p =
    process_component(c, test::shared_component("capi-ocne-v1.10.8-core-components.yaml"), "x.yaml", stack_values(c));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message(),
            "x.yaml: no CRD kubeadmconfigs.bootstrap.cluster.x-k8s.io to add the Ignition fields to");
}

// The place for Oracle's Ignition fields must be where the stack expects it:
// a release whose kubeadm CRD changed shape (no spec.ignition), no longer
// serves v1beta1, or has no versions at all is refused, naming what is gone.
TEST(ProcessComponent, ACrdThatChangedShapeOrLostTheVersionIsRefusedNamingIt)
{
  OCNE_REQUIRE_SHARED();
  const auto& c = row("oci", "bootstrap-kubeadm");
  const auto upstream =
    test::without_ignition_fields(test::shared_component("capi-ocne-v1.10.8-bootstrap-components.yaml"));
  const std::string crd_name = "kubeadmconfigs.bootstrap.cluster.x-k8s.io";
  // The release file with the kubeadmconfigs CRD changed by `change`.
  const auto release_with = [&](const std::function<void(json&)>& change) {
    auto objects = k8s::parse_yaml_stream(upstream, "bootstrap-components.yaml");
    EXPECT_TRUE(objects);
    std::string out;
    for (auto& o : *objects) {
      if (o["kind"] == "CustomResourceDefinition" && o["metadata"]["name"] == crd_name) {
        change(o);
      }
      out += "---\n" + k8s::to_yaml(o);
    }
    return out;
  };
  const auto error_for = [&](const std::string& text) {
    auto p = process_component(c, text, "bootstrap-components.yaml", stack_values(c));
    return p ? std::string("accepted") : p.error().message();
  };
  // Untouched, it is accepted (so the errors below come from the change).
  EXPECT_EQ(error_for(release_with([](json&) {})), "accepted");

  const auto no_ignition = release_with([](json& crd) {
    for (auto& v : crd["spec"]["versions"]) {
      if (v["name"] == "v1beta1") {
        v["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"].erase("ignition");
      }
    }
  });
  EXPECT_EQ(error_for(no_ignition),
            "bootstrap-components.yaml: CRD " + crd_name +
              " version v1beta1 has no field spec.ignition to add variant to (a release that changed shape?)");

  const auto no_v1beta1 = release_with([](json& crd) {
    json kept = json::array();
    for (auto& v : crd["spec"]["versions"]) {
      if (v["name"] != "v1beta1") {
        kept.push_back(v);
      }
    }
    crd["spec"]["versions"] = kept;
  });
  EXPECT_EQ(error_for(no_v1beta1), "bootstrap-components.yaml: CRD " + crd_name + " has no version v1beta1");

  const auto no_versions = release_with([](json& crd) { crd["spec"].erase("versions"); });
  EXPECT_EQ(error_for(no_versions), "bootstrap-components.yaml: CRD " + crd_name + " has no versions");
}

TEST(ProcessComponent, CapociTakesTheCredentialsAsBase64Variables)
{
  OCNE_REQUIRE_SHARED();
  const auto& c = row("oci", "infrastructure-oci");
  auto p =
    process_component(c,
                      test::shared_component("capoci-v0.21.0-infrastructure-components.yaml"),
                      "capoci",
                      with_values({ { "OCI_TENANCY_ID_B64", "dGVuYW5jeQ==" }, { "OCI_CREDENTIALS_KEY_B64", "a2V5" } }));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->target_namespace, "cluster-api-provider-oci-system");
  const json* secret = find(*p, "Secret", "capoci-auth-config");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ(secret->dump().find("${"), std::string::npos);
  EXPECT_NE(secret->dump().find("dGVuYW5jeQ=="), std::string::npos);
  EXPECT_NE(secret->dump().find("a2V5"), std::string::npos);
  EXPECT_EQ(p->inventory["type"], "InfrastructureProvider");
  EXPECT_EQ(p->inventory["providerName"], "oci");
}

TEST(ProcessComponent, ATargetNamespaceFollowsEveryReference)
{
  OCNE_REQUIRE_SHARED();
  const auto& c = row("oci", "cluster-api");
  ProcessOptions o = stack_values(c);
  o.target_namespace = "capi-elsewhere";
  auto p = process_component(c, test::shared_component("capi-ocne-v1.10.8-core-components.yaml"), "core", o);
  ASSERT_TRUE(p) << p.error().message();
  const std::string all = json(p->objects).dump();
  EXPECT_EQ(all.find("\"capi-system\""), std::string::npos);
  EXPECT_EQ(all.find("capi-system/"), std::string::npos);
  EXPECT_EQ(all.find(".capi-system.svc"), std::string::npos);
  EXPECT_EQ(p->webhook_services[0].namespace_, "capi-elsewhere");
  const json* ns = find(*p, "Namespace", "capi-elsewhere");
  ASSERT_NE(ns, nullptr);
  const json* cert = find(*p, "Certificate", "capi-serving-cert");
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ((*cert)["spec"]["dnsNames"][0], "capi-webhook-service.capi-elsewhere.svc");
}

TEST(ProcessComponent, CapoxGetsItsReleaseImageAndNeedsNoVariables)
{
  OCNE_REQUIRE_SHARED();
  const auto& c = row("oxide", "infrastructure-oxide");
  auto p =
    process_component(c, test::shared_component("capox-infrastructure-components.yaml"), "capox", with_values({}));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->target_namespace, "capox-system");
  EXPECT_EQ(p->images, std::vector<std::string>{ "ghcr.io/oxidecomputer/cluster-api-provider-oxide:v0.0.12" });
  EXPECT_TRUE(p->webhook_services.empty());
}

TEST(ProcessComponent, CertManagerKeepsItsNamespacesAndCarriesClusterctlsVersionAnnotation)
{
  OCNE_REQUIRE_SHARED();
  const auto files = test::stack_release_files("oci");
  const auto& c = row("oci", "cert-manager");
  auto p =
    process_component(c, files.at("cert-manager/v1.19.4/cert-manager.yaml"), "cert-manager.yaml", with_values({}));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_TRUE(p->inventory.is_null());
  const json* role = find(*p, "Role", "cert-manager:leaderelection");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ((*role)["metadata"]["namespace"], "kube-system");
  for (const auto& o : p->objects) {
    EXPECT_EQ(o["metadata"]["annotations"][std::string(k_cert_manager_version_annotation)], "v1.19.4");
    EXPECT_EQ(o["metadata"]["labels"]["clusterctl.cluster.x-k8s.io/core"], "cert-manager");
  }
  // Oracle's stack runs Oracle's cert-manager images.
  EXPECT_EQ(std::set<std::string>(p->images.begin(), p->images.end()),
            (std::set<std::string>{ "container-registry.oracle.com/olcne/cert-manager-cainjector:v1.19.4",
                                    "container-registry.oracle.com/olcne/cert-manager-controller:v1.19.4",
                                    "container-registry.oracle.com/olcne/cert-manager-webhook:v1.19.4" }));
  EXPECT_EQ(p->deployments.size(), 3u);
  EXPECT_EQ(p->webhook_services, std::vector<ServiceRef>{ (ServiceRef{ "cert-manager", "cert-manager-webhook" }) });
}

// The oxide stack runs upstream's cert-manager: its images are the release
// file's own (quay.io/jetstack), not Oracle's.
TEST(ProcessComponent, TheOxideStacksCertManagerRunsUpstreamImages)
{
  OCNE_REQUIRE_SHARED();
  const auto files = test::stack_release_files("oxide");
  const auto& c = row("oxide", "cert-manager");
  auto p =
    process_component(c, files.at("cert-manager/v1.19.4/cert-manager.yaml"), "cert-manager.yaml", with_values({}));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(std::set<std::string>(p->images.begin(), p->images.end()),
            (std::set<std::string>{ "quay.io/jetstack/cert-manager-cainjector:v1.19.4",
                                    "quay.io/jetstack/cert-manager-controller:v1.19.4",
                                    "quay.io/jetstack/cert-manager-webhook:v1.19.4" }));
}

// Only container images are overridden, as with clusterctl: the controller's
// --acme-http01-solver-image argument keeps upstream's image, also in the
// oci stack whose containers run Oracle's.
TEST(ProcessComponent, TheAcmeSolverImageArgumentKeepsUpstreamsImage)
{
  OCNE_REQUIRE_SHARED();
  const auto files = test::stack_release_files("oci");
  const auto& c = row("oci", "cert-manager");
  auto p =
    process_component(c, files.at("cert-manager/v1.19.4/cert-manager.yaml"), "cert-manager.yaml", with_values({}));
  ASSERT_TRUE(p) << p.error().message();
  const json* controller = find(*p, "Deployment", "cert-manager");
  ASSERT_NE(controller, nullptr);
  const json& container = (*controller)["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["image"], "container-registry.oracle.com/olcne/cert-manager-controller:v1.19.4");
  std::vector<std::string> solver;
  for (const auto& arg : container["args"]) {
    if (arg.get<std::string>().starts_with("--acme-http01-solver-image=")) {
      solver.push_back(arg.get<std::string>());
    }
  }
  EXPECT_EQ(solver,
            std::vector<std::string>{ "--acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver:v1.19.4" });
}

// Every kind of webhook names a Service to wait for: validating, mutating
// and CRD conversion webhooks, each in the target namespace.
TEST(ProcessComponent, ValidatingMutatingAndConversionWebhooksEachNameTheirService)
{
  const auto& c = row("oci", "cluster-api");
  const std::string text = R"(apiVersion: v1
kind: Namespace
metadata: {name: from-file}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: v}
webhooks:
  - name: v.example.com
    clientConfig: {service: {name: validating-svc, namespace: from-file, path: /v}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: m}
webhooks:
  - name: m.example.com
    clientConfig: {service: {name: mutating-svc, namespace: from-file, path: /m}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig: {service: {name: conversion-svc, namespace: from-file, path: /convert}}
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object}}
)";
  auto p = process_component(c, text, "hooks.yaml", with_values({}));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->webhook_services,
            (std::vector<ServiceRef>{
              { "from-file", "conversion-svc" }, { "from-file", "mutating-svc" }, { "from-file", "validating-svc" } }));
}

TEST(ProcessComponent, TwoNamespacesAreAnError)
{
  const auto& c = row("oci", "cluster-api");
  auto p = process_component(c,
                             "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
                             "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
                             "two.yaml",
                             with_values({}));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message(), "two.yaml: 2 Namespace objects (a, b); a provider's components must have at most one");
}

TEST(ProcessComponent, ImagesAreOverriddenByLastPathElement)
{
  EXPECT_EQ(override_image("registry.k8s.io/cluster-api/cluster-api-controller:v1.10.8",
                           { "cluster-api-controller", "container-registry.oracle.com/olcne", "" }),
            "container-registry.oracle.com/olcne/cluster-api-controller:v1.10.8");
  EXPECT_EQ(override_image("kind.local/cluster-api-provider-oxide:2e4a",
                           { "cluster-api-provider-oxide", "ghcr.io/oxidecomputer", "v0.0.12" }),
            "ghcr.io/oxidecomputer/cluster-api-provider-oxide:v0.0.12");
  EXPECT_EQ(override_image("quay.io/x/other:v1", { "cluster-api-controller", "mirror", "v2" }), "quay.io/x/other:v1");
  EXPECT_EQ(override_image("quay.io/x/y@sha256:abc", { "", "", "v2" }), "quay.io/x/y:v2");
  EXPECT_EQ(override_image("quay.io/x/y@sha256:abc", { "", "mirror.local:5000/m", "" }),
            "mirror.local:5000/m/y@sha256:abc");
}

TEST(CheckMetadata, ContractsMustSuitTheStacksCore)
{
  OCNE_REQUIRE_SHARED();
  const auto* oci = &test::stack_of("oci");
  const auto* oxide = &test::stack_of("oxide");
  const auto v110 = test::shared_component("capi-v1.10.8-metadata.yaml");
  const auto v113 = test::shared_component("capi-upstream-v1.13.5-metadata.yaml");
  EXPECT_TRUE(check_metadata(row("oci", "cluster-api"), *oci, v110, "m"));
  EXPECT_TRUE(check_metadata(row("oxide", "cluster-api"), *oxide, v113, "m"));
  // Oracle's v1beta1 kubeadm providers under a v1beta2 core: accepted.
  EXPECT_TRUE(check_metadata(row("oxide", "bootstrap-kubeadm"), *oxide, v110, "m"));
  // A v1beta2 core file under the oci stack's v1beta1 core: refused.
  Component core113 = row("oci", "cluster-api");
  core113.version = "v1.13.5";
  auto refused = check_metadata(core113, *oci, v113, "metadata.yaml");
  ASSERT_FALSE(refused);
  EXPECT_EQ(
    refused.error().message(),
    "metadata.yaml: cluster-api v1.13.5 speaks Cluster API contract v1beta2, but this stack's core needs v1beta1");
  auto missing = check_metadata(row("oci", "cluster-api"), *oci, "releaseSeries: []\n", "metadata.yaml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("no release series 1.10"), std::string::npos);
}

} // namespace
} // namespace ocne::clusterctl
