// Installing the oci and oxide Cluster API stacks into the Kubernetes test
// server, which plays the Deployment controller, cert-manager and the
// endpoints controller, from the real release files in ../shared/components.

#include "pkg/clusterctl/installer.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/k8s/yaml.hpp"
#include "providers/oci/credentials.hpp"
#include "tests/servers/kube/capi_webhook.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/components_release.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <mutex>
#include <optional>

namespace ocne::clusterctl {
namespace {

using json = nlohmann::json;
using test::kube::KubeTestServer;
using Clock = std::chrono::steady_clock;

// Progress as ocne's log lines: "<label>: <detail>".
class RecordingSink : public ProgressSink
{
public:
  void
  begin(std::uint64_t id, std::string_view label, std::uint64_t, ProgressUnit) override
  {
    const std::lock_guard lock(m_mutex);
    m_labels[id] = std::string(label);
  }
  void
  update(std::uint64_t, std::uint64_t, std::uint64_t) override
  {
  }
  void
  end(std::uint64_t id, bool, std::string_view detail) override
  {
    const std::lock_guard lock(m_mutex);
    m_lines.push_back(m_labels[id] + ": " + std::string(detail));
  }
  std::vector<std::string>
  lines()
  {
    const std::lock_guard lock(m_mutex);
    return m_lines;
  }

private:
  std::mutex m_mutex;
  std::map<std::uint64_t, std::string> m_labels;
  std::vector<std::string> m_lines;
};

class StackInstall : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED(); // these tests install its real manifests
    start_server({});
  }

  // What the test world plays besides the deployment controller.
  struct World
  {
    bool endpoints_controller = true;
    std::chrono::milliseconds crd_establish_delay{ 0 };
  };

  void
  start_server(const test::kube::DeploymentControllerOptions& deployments)
  {
    start_server(deployments, World{});
  }

  void
  start_server(const test::kube::DeploymentControllerOptions& deployments, const World& world)
  {
    test::kube::ServerOptions so;
    so.kubeconfig_path = dir() / "kubeconfig";
    so.crd_establish_delay = world.crd_establish_delay;
    server.reset(); // before the webhooks its hooks use
    webhooks.reset();
    server = std::make_unique<KubeTestServer>(so);
    server->start();
    test::kube::play_deployment_controller(*server, deployments);
    test::kube::play_cert_manager(*server);
    if (world.endpoints_controller) {
      test::kube::play_endpoints_controller(*server);
    }
    webhooks = test::kube::play_capi_webhooks(*server);
    auto access = k8s::load_kubeconfig({ dir() / "kubeconfig" });
    ASSERT_TRUE(access) << access.error().message();
    k8s::ClientOptions co;
    co.retry.initial_backoff = std::chrono::milliseconds(10);
    client = std::make_unique<k8s::Client>(std::move(*access), co);
  }

  SourceSettings
  settings(std::map<std::string, std::string, std::less<>> extra = {})
  {
    SourceSettings s;
    extra["HOME"] = (dir() / "home").string();
    s.env = Environment::from_map(std::move(extra));
    s.cache_dir = dir() / "home/.ocne/providers";
    s.max_attempts = 3;
    return s;
  }

  InstallOptions
  options()
  {
    InstallOptions o;
    o.env = Environment::from_map({});
    o.timeout = std::chrono::seconds(60);
    o.interval = std::chrono::milliseconds(50);
    return o;
  }

  Result<InstallReport>
  install(const std::string& provider, const SourceSettings& s, const InstallOptions& o)
  {
    ComponentSource source(s, null_progress());
    return install_stack(*client, test::stack_of(provider), source, o, sink);
  }

  // What `ocne cluster template` renders for examples/<provider>.yaml is
  // accepted, Oracle's Ignition fields kept (not pruned).
  void
  expect_template_accepted(const std::string& provider, const std::string& cluster_api_version)
  {
    const auto example = test::source_dir() / "examples" / (provider + ".yaml");
    const auto r = test::run_ocne({ "cluster", "template", "-P", provider, "-c", example.string() }, dir());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto objects = k8s::parse_yaml_stream(r.out, "template");
    ASSERT_TRUE(objects) << objects.error().message();
    server->create({ { "apiVersion", "v1" },
                     { "kind", "Namespace" },
                     { "metadata", { { "name", (*objects)[0]["metadata"]["namespace"] } } } });
    auto applied = k8s::apply_objects(*client, *objects, {}, {}, null_progress());
    ASSERT_TRUE(applied) << applied.error().message();
    const auto kcp = server->list("controlplane.cluster.x-k8s.io/v1beta1", "KubeadmControlPlane");
    ASSERT_EQ(kcp.size(), 1u);
    const json& ignition = kcp[0]["spec"]["kubeadmConfigSpec"]["ignition"];
    EXPECT_EQ(ignition.value("variant", ""), "fcos");
    EXPECT_EQ(ignition.value("version", ""), "1.5.0");
    EXPECT_EQ(server->list(cluster_api_version, "Cluster").size(), 1u);
  }

  // Before server: the server's hooks use it until the server stops.
  std::unique_ptr<test::kube::CapiWebhookServer> webhooks;
  std::unique_ptr<KubeTestServer> server;
  std::unique_ptr<k8s::Client> client;
  RecordingSink sink;
};

std::string
image_of(const KubeTestServer& server, const std::string& ns, const std::string& name)
{
  const auto d = server.get("apps/v1", "Deployment", ns, name);
  return d ? (*d)["spec"]["template"]["spec"]["containers"][0].value("image", "") : "";
}

TEST_F(StackInstall, TheOciStackFromTheOverridesFolderThenASecondRunWritesNothing)
{
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  auto o = options();
  o.values = providers::oci::credential_values(
    "ocid1.tenancy.oc1..t",
    "ocid1.user.oc1..u",
    "aa:bb",
    "us-ashburn-1",
    "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n",
    "pass-phrase-42");
  std::vector<std::string> logged;
  log::set_level(log::Level::debug);
  log::set_sink([&](const log::Record& r) { logged.emplace_back(r.message); });
  auto report = install("oci", settings(), o);
  log::set_sink({});
  log::set_level(log::Level::info);
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->components.size(), 5u);
  for (const auto& c : report->components) {
    EXPECT_TRUE(c.installed) << c.label;
  }

  const auto lines = sink.lines();
  for (const auto* want : { "Installing cert-manager into cert-manager: ok",
                            "Waiting for cert-manager: ok",
                            "Installing core-capi into capi-system: ok",
                            "Installing capoci into cluster-api-provider-oci-system: ok",
                            "Installing bootstrap-capi into capi-kubeadm-bootstrap-system: ok",
                            "Installing control-plane-capi into capi-kubeadm-control-plane-system: ok",
                            "Waiting for Core Cluster API Controllers: ok",
                            "Waiting for OCI Cluster API Controllers: ok",
                            "Waiting for Kubeadm Bootstrap Cluster API Controllers: ok",
                            "Waiting for Kubeadm Control Plane Cluster API Controllers: ok" }) {
    EXPECT_NE(std::find(lines.begin(), lines.end(), want), lines.end()) << want;
  }
  // Oracle's images, the credentials in CAPOCI's Secret, the Ignition fields served.
  EXPECT_EQ(image_of(*server, "capi-system", "capi-controller-manager"),
            "container-registry.oracle.com/olcne/cluster-api-controller:v1.10.8");
  EXPECT_EQ(image_of(*server, "capi-kubeadm-bootstrap-system", "capi-kubeadm-bootstrap-controller-manager"),
            "container-registry.oracle.com/olcne/kubeadm-bootstrap-controller:v1.10.8");
  EXPECT_EQ(image_of(*server, "cert-manager", "cert-manager"),
            "container-registry.oracle.com/olcne/cert-manager-controller:v1.19.4");
  const auto auth = server->get("v1", "Secret", "cluster-api-provider-oci-system", "capoci-auth-config");
  ASSERT_TRUE(auth);
  EXPECT_EQ((*auth)["data"].value("passphrase", ""), "cGFzcy1waHJhc2UtNDI=");
  const auto kcp = server->get(
    "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "kubeadmcontrolplanes.controlplane.cluster.x-k8s.io");
  ASSERT_TRUE(kcp);
  EXPECT_NE(kcp->dump().find("Variant selects the Operating System variant"), std::string::npos);
  // clusterctl's inventory.
  const auto providers = server->list("clusterctl.cluster.x-k8s.io/v1alpha3", "Provider");
  std::set<std::string> inventory;
  for (const auto& p : providers) {
    inventory.insert(p["metadata"]["namespace"].get<std::string>() + "/" + p["metadata"]["name"].get<std::string>() +
                     " " + p["type"].get<std::string>() + " " + p["version"].get<std::string>());
  }
  EXPECT_EQ(
    inventory,
    (std::set<std::string>{ "capi-system/cluster-api CoreProvider v1.10.8",
                            "capi-kubeadm-bootstrap-system/bootstrap-kubeadm BootstrapProvider v1.10.8",
                            "capi-kubeadm-control-plane-system/control-plane-kubeadm ControlPlaneProvider v1.10.8",
                            "cluster-api-provider-oci-system/infrastructure-oci InfrastructureProvider v0.21.0" }));
  // cert-manager's test objects are gone; field manager is ocne.
  EXPECT_FALSE(server->get("cert-manager.io/v1", "Certificate", "cert-manager-test", "selfsigned-cert"));
  const auto d = server->get("apps/v1", "Deployment", "capi-system", "capi-controller-manager");
  EXPECT_NE(d->dump().find("\"manager\":\"ocne\""), std::string::npos);
  // No secret in any log line.
  for (const auto& line : logged) {
    for (const auto* secret : { "pass-phrase-42", "cGFzcy1waHJhc2UtNDI=", "c2VjcmV0LWtleS1ieXRlcw" }) {
      EXPECT_EQ(line.find(secret), std::string::npos) << line;
    }
  }

  // Again: everything is there at the same version, so nothing is written.
  server->clear_requests();
  auto again = install("oci", settings(), o);
  ASSERT_TRUE(again) << again.error().message();
  for (const auto& c : again->components) {
    EXPECT_FALSE(c.installed) << c.label;
  }
  EXPECT_EQ(test::kube::write_requests(*server), 0);
  EXPECT_GT(server->requests().size(), 0u);
}

TEST_F(StackInstall, TheOxideStackFromTheConfiguredFolderAcceptsARealClusterFromTheTemplate)
{
  const auto folder = test::write_stack_release("oxide", dir() / "components");
  auto s = settings();
  s.configured = folder.string();
  auto report = install("oxide", s, options());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(image_of(*server, "capi-system", "capi-controller-manager"),
            "registry.k8s.io/cluster-api/cluster-api-controller:v1.13.5");
  EXPECT_EQ(image_of(*server, "capox-system", "cluster-api-provider-oxide"),
            "ghcr.io/oxidecomputer/cluster-api-provider-oxide:v0.0.12");
  EXPECT_EQ(image_of(*server, "capi-kubeadm-control-plane-system", "capi-kubeadm-control-plane-controller-manager"),
            "container-registry.oracle.com/olcne/kubeadm-control-plane-controller:v1.10.8");
  // cert-manager as upstream releases it.
  EXPECT_EQ(image_of(*server, "cert-manager", "cert-manager"), "quay.io/jetstack/cert-manager-controller:v1.19.4");
  EXPECT_EQ(image_of(*server, "cert-manager", "cert-manager-webhook"), "quay.io/jetstack/cert-manager-webhook:v1.19.4");

  expect_template_accepted("oxide", "cluster.x-k8s.io/v1beta2");
}

TEST_F(StackInstall, TheOciStackAcceptsARealClusterFromTheTemplate)
{
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  auto report = install("oci", settings(), options());
  ASSERT_TRUE(report) << report.error().message();
  expect_template_accepted("oci", "cluster.x-k8s.io/v1beta1");
}

// A release server shaped like GitHub (302 to the bytes) with a 503, a body
// that breaks off, then a second cluster installed from the cache alone.
TEST_F(StackInstall, FromTheReleaseUrlsWithFaultsThenFromTheCacheAlone)
{
  const auto ca = test::make_test_ca();
  const auto cert = test::make_test_cert(ca, "localhost", { "IP:127.0.0.1" });
  const auto ca_file = write("tls/ca.pem", ca.cert_pem);
  test::TestHttpServer release(write("tls/cert.pem", cert.cert_pem).string(),
                               write("tls/key.pem", cert.key_pem).string());
  auto seen = test::serve_release(release, test::stack_release_paths("oxide"));
  release.start();
  release.faults().fail_next(1,
                             { .kind = test::Fault::Kind::status, .status = 503, .retry_after = 0 },
                             "GET",
                             "/kubernetes-sigs/cluster-api/releases/download/v1.13.5/core-components.yaml");
  release.faults().fail_next(1, { .kind = test::Fault::Kind::drop_mid_body }, "GET", "/objects/oxidecomputer");
  const std::map<std::string, std::string, std::less<>> env = { { "OCNE_GITHUB_URL", release.url() },
                                                                { "OCNE_COMPONENTS_CA_BUNDLE", ca_file.string() } };
  auto report = install("oxide", settings(env), options());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(release.faults().injected(), 2);
  // The 503 is answered before the routes; then the 302 and the bytes.
  EXPECT_EQ(seen->count("/v1.13.5/core-components.yaml"), 2);

  // The release server is gone: a new cluster installs from the cache.
  release.stop();
  start_server({});
  auto cached = install("oxide", settings(env), options());
  ASSERT_TRUE(cached) << cached.error().message();
  EXPECT_TRUE(server->get("apps/v1", "Deployment", "capox-system", "cluster-api-provider-oxide"));

  // A cached file that changed is refused, and nothing is written.
  const auto changed = dir() / "home/.ocne/providers/infrastructure-oxide/v0.0.12/infrastructure-components.yaml";
  ASSERT_TRUE(fs::write_file_atomic(changed, "kind: tampered\n"));
  start_server({});
  server->clear_requests();
  auto refused = install("oxide", settings(env), options());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("cached file " + changed.string() + " does not match"), std::string::npos)
    << refused.error().message();
  EXPECT_EQ(test::kube::write_requests(*server), 0); // not even the inventory CRD
  EXPECT_FALSE(server->get("apps/v1", "Deployment", "capi-system", "capi-controller-manager"));
}

TEST_F(StackInstall, AControllerThatNeverBecomesAvailableFailsWithItsReasonInTime)
{
  start_server({ .delay = {}, .never_available = { "capi-system/capi-controller-manager" } });
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  auto o = options();
  // The shared deadline starts before the stack is applied, which is slow under
  // ASan; it must leave the other controllers time to be seen available.
  o.timeout = std::chrono::seconds(10);
  const auto started = Clock::now();
  auto report = install("oci", settings(), o);
  const auto took = Clock::now() - started;
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind(), ErrorKind::timeout);
  const auto& m = report.error().message();
  EXPECT_TRUE(m.starts_with("not all Cluster API controllers became available: core-capi: timed out after ")) << m;
  EXPECT_NE(m.find("condition Available=False (MinimumReplicasUnavailable)"), std::string::npos) << m;
  EXPECT_NE(m.find("is waiting: ImagePullBackOff (image "
                   "container-registry.oracle.com/olcne/cluster-api-controller:v1.10.8)"),
            std::string::npos)
    << m;
  EXPECT_EQ(m.find("capoci:"), std::string::npos) << m; // the others did become available
  // Waits share one deadline; applying the stack takes its own time first.
  EXPECT_LT(took, std::chrono::seconds(60));
}

TEST_F(StackInstall, AnotherInstalledVersionIsReportedAndNothingIsUpgraded)
{
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  server->load_crds(test::shared_path("crds/capi/clusterctl.cluster.x-k8s.io_providers.yaml"));
  server->create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "capi-system" } } } });
  server->create({ { "apiVersion", "clusterctl.cluster.x-k8s.io/v1alpha3" },
                   { "kind", "Provider" },
                   { "metadata", { { "name", "cluster-api" }, { "namespace", "capi-system" } } },
                   { "providerName", "cluster-api" },
                   { "type", "CoreProvider" },
                   { "version", "v1.9.4" } });
  server->clear_requests();
  auto report = install("oci", settings(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind(), ErrorKind::conflict);
  EXPECT_EQ(report.error().message(),
            "cluster-api v1.9.4 is installed in capi-system, this stack needs v1.10.8: upgrade it (clusterctl upgrade "
            "apply) or remove it, ocne never upgrades a provider itself");
  EXPECT_EQ(test::kube::write_requests(*server), 0);
}

TEST_F(StackInstall, AMissingVariableIsReportedBeforeAnythingIsInstalled)
{
  const auto folder = test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  const auto capoci = folder / "infrastructure-oci/v0.21.0/infrastructure-components.yaml";
  auto text = fs::read_file(capoci);
  ASSERT_TRUE(text);
  ASSERT_TRUE(fs::write_file_atomic(capoci,
                                    *text + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"
                                            "data:\n  region: ${OCI_EXTRA_REGION}\n  zone: ${OCI_EXTRA_ZONE:-}\n"));
  server->clear_requests();
  auto report = install("oci", settings(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message(),
            "infrastructure-oci v0.21.0 infrastructure-components.yaml: missing variables: OCI_EXTRA_REGION, "
            "OCI_EXTRA_ZONE (set them in the environment or in clusterctl.yaml)");
  // Not one write, not even clusterctl's inventory CRD.
  EXPECT_EQ(test::kube::write_requests(*server), 0);
  EXPECT_FALSE(server->get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "clusters.cluster.x-k8s.io"));
  EXPECT_FALSE(
    server->get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "providers.clusterctl.cluster.x-k8s.io"));
  EXPECT_FALSE(server->get("v1", "Namespace", "", "cert-manager"));
}

// An install that stopped inside cert-manager's objects (here: one of its
// Deployments refused, as a run killed there would leave it) has written the
// CRDs but not the version annotation that says "installed": the next run
// applies cert-manager again instead of waiting for a Deployment that will
// never come.
TEST_F(StackInstall, ACertManagerInstallThatStoppedHalfWayIsAppliedAgain)
{
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  auto o = options();
  o.values = providers::oci::credential_values("ocid1.tenancy.oc1..t",
                                               "ocid1.user.oc1..u",
                                               "aa:bb",
                                               "us-ashburn-1",
                                               "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                                               "");
  server->faults().fail_next(1,
                             { .status = 403, .message = "injected: stopped here" },
                             "PATCH",
                             "/apis/apps/v1/namespaces/cert-manager/deployments/cert-manager");
  auto first = install("oci", settings(), o);
  ASSERT_FALSE(first);
  const auto crd =
    server->get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "certificates.cert-manager.io");
  ASSERT_TRUE(crd) << "the CRDs come first";
  EXPECT_FALSE(k8s::has_annotation(*crd, "certmanager.clusterctl.cluster.x-k8s.io/version"));
  EXPECT_LT(server->list("apps/v1", "Deployment", "cert-manager").size(), 3U);

  auto second = install("oci", settings(), o);
  ASSERT_TRUE(second) << second.error().message();
  ASSERT_FALSE(second->components.empty());
  EXPECT_EQ(second->components[0].label, "cert-manager");
  EXPECT_TRUE(second->components[0].installed);
  EXPECT_EQ(server->list("apps/v1", "Deployment", "cert-manager").size(), 3U);
  const auto done =
    server->get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "certificates.cert-manager.io");
  EXPECT_EQ((*done)["metadata"]["annotations"]["certmanager.clusterctl.cluster.x-k8s.io/version"], "v1.19.4");

  // Complete now: a third run writes nothing.
  server->clear_requests();
  auto third = install("oci", settings(), o);
  ASSERT_TRUE(third) << third.error().message();
  EXPECT_EQ(test::kube::write_requests(*server), 0);
}

// A cert-manager someone else installed (not by ocne, no clusterctl
// annotation) is left as it is: ocne writes none of its objects.
TEST_F(StackInstall, SomeoneElsesCertManagerIsLeftAlone)
{
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  // The release file as it is: its objects without clusterctl's
  // annotation, applied by another field manager.
  std::string text;
  for (const auto& [path, content] : test::stack_release_files("oci")) {
    if (path.rfind("cert-manager/", 0) == 0) {
      text = content;
    }
  }
  auto objects = k8s::parse_yaml_stream(text, "cert-manager.yaml");
  ASSERT_TRUE(objects) << objects.error().message();
  for (const auto& object : *objects) {
    if (object.value("kind", "") == "CustomResourceDefinition") {
      server->apply(object, "helm");
    }
  }
  for (const auto& object : *objects) {
    if (object.value("kind", "") != "CustomResourceDefinition") {
      server->apply(object, "helm");
    }
  }
  auto o = options();
  o.values = providers::oci::credential_values("ocid1.tenancy.oc1..t",
                                               "ocid1.user.oc1..u",
                                               "aa:bb",
                                               "us-ashburn-1",
                                               "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                                               "");
  server->clear_requests();
  auto report = install("oci", settings(), o);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_FALSE(report->components[0].installed);
  for (const auto& r : server->requests()) {
    if (r.method != "GET") {
      EXPECT_EQ(r.target.find("namespaces/cert-manager/"), std::string::npos) << r.method << " " << r.target;
      const bool crd = r.target.find("customresourcedefinitions/") != std::string::npos;
      EXPECT_FALSE(crd && r.target.find("cert-manager.io") != std::string::npos) << r.method << " " << r.target;
    }
  }
}

// Reads `<folder>/<rel>` as YAML objects, lets `change` edit them and writes
// them back.
void
edit_release_file(const std::filesystem::path& file, const std::function<void(json&)>& change)
{
  auto text = fs::read_file(file);
  ASSERT_TRUE(text) << text.error().message();
  auto objects = k8s::parse_yaml_stream(*text, file.string());
  ASSERT_TRUE(objects) << objects.error().message();
  std::string out;
  for (auto& o : *objects) {
    change(o);
    out += "---\n" + k8s::to_yaml(o);
  }
  ASSERT_TRUE(fs::write_file_atomic(file, out));
}

// A component whose metadata.yaml does not suit the stack's core is refused
// before anything is installed: not one write.
TEST_F(StackInstall, RefusedMetadataWritesNothing)
{
  const auto folder = test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  const auto metadata = folder / "control-plane-kubeadm/v1.10.8/metadata.yaml";
  auto text = fs::read_file(metadata);
  ASSERT_TRUE(text);
  std::string changed = *text;
  for (std::size_t pos = 0; (pos = changed.find("contract: v1beta1", pos)) != std::string::npos;) {
    changed.replace(pos, 17, "contract: v1alpha4");
  }
  ASSERT_NE(changed, *text);
  ASSERT_TRUE(fs::write_file_atomic(metadata, changed));
  server->clear_requests();
  auto report = install("oci", settings(), options());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message(),
            "overrides folder " + metadata.string() +
              ": control-plane-kubeadm v1.10.8 speaks Cluster API contract v1alpha4, but "
              "this stack's core needs v1beta1");
  EXPECT_EQ(test::kube::write_requests(*server), 0);
  EXPECT_FALSE(server->get("v1", "Namespace", "", "cert-manager"));
}

// A file found nowhere (no network either) stops the install before the
// first write.
TEST_F(StackInstall, AMissingFileWritesNothing)
{
  const auto folder = test::write_stack_release("oxide", dir() / "home/.config/cluster-api/overrides");
  const auto gone = folder / "infrastructure-oxide/v0.0.12/metadata.yaml";
  ASSERT_TRUE(std::filesystem::remove(gone));
  auto s = settings({ { "OCNE_GITHUB_URL", "http://127.0.0.1:1" } });
  s.max_attempts = 1;
  server->clear_requests();
  auto report = install("oxide", s, options());
  ASSERT_FALSE(report);
  EXPECT_TRUE(report.error().message().starts_with("cannot download metadata.yaml of infrastructure-oxide v0.0.12 from "
                                                   "http://127.0.0.1:1/oxidecomputer/"))
    << report.error().message();
  EXPECT_NE(report.error().message().find("put the file at " + gone.string()), std::string::npos);
  EXPECT_EQ(test::kube::write_requests(*server), 0);
}

// A provider whose install stopped half-way (one of its writes refused, as
// a run killed there leaves it) has no inventory entry, so the next run
// applies it again; its inventory Provider is its last write.
TEST_F(StackInstall, AProviderStoppedHalfWayIsAppliedAgainAndItsInventoryEntryComesLast)
{
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  auto o = options();
  o.values = providers::oci::credential_values("ocid1.tenancy.oc1..t",
                                               "ocid1.user.oc1..u",
                                               "aa:bb",
                                               "us-ashburn-1",
                                               "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                                               "");
  server->faults().fail_next(1,
                             { .status = 403, .message = "injected: stopped here" },
                             "PATCH",
                             "/apis/apps/v1/namespaces/capi-system/deployments/capi-controller-manager");
  auto first = install("oci", settings(), o);
  ASSERT_FALSE(first);
  EXPECT_NE(first.error().message().find("injected: stopped here"), std::string::npos) << first.error().message();
  EXPECT_EQ(server->faults().injected(), 1);
  EXPECT_TRUE(server->get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "clusters.cluster.x-k8s.io"))
    << "the core's CRDs come before its Deployment";
  EXPECT_FALSE(server->get("clusterctl.cluster.x-k8s.io/v1alpha3", "Provider", "capi-system", "cluster-api"));
  EXPECT_FALSE(server->get("apps/v1", "Deployment", "capi-system", "capi-controller-manager"));

  server->clear_requests();
  auto second = install("oci", settings(), o);
  ASSERT_TRUE(second) << second.error().message();
  ASSERT_GE(second->components.size(), 2u);
  EXPECT_FALSE(second->components[0].installed); // cert-manager was complete
  EXPECT_EQ(second->components[1].label, "cluster-api");
  EXPECT_TRUE(second->components[1].installed);
  EXPECT_TRUE(server->get("apps/v1", "Deployment", "capi-system", "capi-controller-manager"));
  // The order of the second run's writes: every object of the core before its Provider.
  const auto requests = server->requests();
  std::optional<std::size_t> provider;
  std::size_t last_object = 0;
  int objects = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    if (r.method == "GET") {
      continue;
    }
    if (r.target.find("/providers/cluster-api") != std::string::npos) {
      provider = i;
    } else if (r.target.find("/namespaces/capi-system/") != std::string::npos ||
               r.target.find("customresourcedefinitions/clusters.cluster.x-k8s.io") != std::string::npos) {
      last_object = i;
      ++objects;
    }
  }
  ASSERT_TRUE(provider);
  EXPECT_GT(objects, 5);
  EXPECT_GT(*provider, last_object);
}

// CRDs are Established before objects of their kinds are sent; the test
// server, like the API server, serves a kind (404 before) only once its
// CRD is Established, which here takes a while.
TEST_F(StackInstall, ObjectsOfAComponentsOwnKindsWaitForTheirCrdToBeEstablished)
{
  start_server({}, World{ .endpoints_controller = true, .crd_establish_delay = std::chrono::milliseconds(500) });
  const Stack stack{ "oci",
                     "v1beta1",
                     { Component{ .label = "cluster-api",
                                  .provider_name = "cluster-api",
                                  .type = ProviderType::core,
                                  .display_name = "widgets",
                                  .wait_title = "Widget Controllers",
                                  .version = "v1.10.8",
                                  .components = "core-components.yaml",
                                  .metadata = "",
                                  .release_url = "https://github.com/example/widgets/releases/download/v1.10.8",
                                  .images = {},
                                  .variables = {},
                                  .crd_patches = {} } } };
  write("home/.config/cluster-api/overrides/cluster-api/v1.10.8/core-components.yaml", R"(apiVersion: v1
kind: Namespace
metadata: {name: widget-system}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: first, namespace: widget-system}
spec: {size: small}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: string}
)");
  ComponentSource source(settings(), null_progress());
  server->clear_requests();
  auto report = install_stack(*client, stack, source, options(), sink);
  ASSERT_TRUE(report) << report.error().message();
  const auto widget = server->get("example.com/v1", "Widget", "widget-system", "first");
  ASSERT_TRUE(widget);
  EXPECT_EQ((*widget)["spec"]["size"], "small");
  EXPECT_TRUE(server->get("clusterctl.cluster.x-k8s.io/v1alpha3", "Provider", "widget-system", "cluster-api"));
  for (const auto& r : server->requests()) {
    if (r.method != "GET") {
      EXPECT_NE(r.status, 404) << r.method << " " << r.target;
    }
  }
}

// cert-manager's webhook Service must have a ready endpoint before its check
// starts: without the endpoints controller it never gets one, and the
// install stops there, naming it, before any test object is written.
TEST_F(StackInstall, CertManagersWebhookMustHaveAReadyEndpoint)
{
  start_server({}, World{ .endpoints_controller = false, .crd_establish_delay = {} });
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  auto o = options();
  o.values = providers::oci::credential_values("ocid1.tenancy.oc1..t",
                                               "ocid1.user.oc1..u",
                                               "aa:bb",
                                               "us-ashburn-1",
                                               "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                                               "");
  // The deadline also covers applying the stack, slow under ASan on a loaded machine.
  o.timeout = std::chrono::seconds(10);
  auto report = install("oci", settings(), o);
  ASSERT_FALSE(report);
  const auto& m = report.error().message();
  EXPECT_TRUE(m.starts_with("waiting for cert-manager: ")) << m;
  EXPECT_NE(m.find("endpoints cert-manager/cert-manager-webhook to have a ready address"), std::string::npos) << m;
  for (const auto& r : server->requests()) {
    if (r.method != "GET") {
      EXPECT_EQ(r.target.find("cert-manager-test"), std::string::npos) << r.method << " " << r.target;
    }
  }
}

// While cert-manager's webhook refuses (the API server answers 500 "failed
// calling webhook"), its check is tried again; more refusals than the
// client's own retries.
TEST_F(StackInstall, CertManagersCheckIsRetriedWhileItsWebhookRefuses)
{
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  auto o = options();
  o.values = providers::oci::credential_values("ocid1.tenancy.oc1..t",
                                               "ocid1.user.oc1..u",
                                               "aa:bb",
                                               "us-ashburn-1",
                                               "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                                               "");
  server->faults().fail_next(8,
                             { .status = 500,
                               .message =
                                 "Internal error occurred: failed calling webhook \"webhook.cert-manager.io\": "
                                 "connect: connection refused" },
                             "PATCH",
                             "/apis/cert-manager.io/v1/namespaces/cert-manager-test/issuers/");
  auto report = install("oci", settings(), o);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(server->faults().injected(), 8);
  EXPECT_FALSE(server->get("cert-manager.io/v1", "Issuer", "cert-manager-test", "test-selfsigned"));
}

// A provider's webhook Service whose pods never become its endpoints (here
// its selector matches no pod) fails the install, naming the Service: the
// first Cluster object would be refused by a webhook nobody answers.
TEST_F(StackInstall, AProviderWebhookServiceWithoutAReadyAddressFailsNamingIt)
{
  const auto folder = test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  edit_release_file(folder / "cluster-api/v1.10.8/core-components.yaml", [](json& o) {
    if (o["kind"] == "Service" && o["metadata"]["name"] == "capi-webhook-service") {
      o["spec"]["selector"] = { { "app", "nobody" } };
    }
  });
  auto o = options();
  o.values = providers::oci::credential_values("ocid1.tenancy.oc1..t",
                                               "ocid1.user.oc1..u",
                                               "aa:bb",
                                               "us-ashburn-1",
                                               "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                                               "");
  o.timeout = std::chrono::seconds(10);
  auto report = install("oci", settings(), o);
  ASSERT_FALSE(report);
  const auto& m = report.error().message();
  EXPECT_TRUE(m.starts_with("not all Cluster API controllers became available: core-capi: ")) << m;
  EXPECT_NE(m.find("endpoints capi-system/capi-webhook-service to have a ready address"), std::string::npos) << m;
  EXPECT_EQ(m.find("capoci:"), std::string::npos) << m;
}

// CAPOx's Deployment (its container is not named `manager`, which clusterctl
// would skip) is waited for like every other; pods that fit no node are
// reported with the scheduler's message.
TEST_F(StackInstall, CapoxsDeploymentIsWaitedForAndASchedulingFailureIsReported)
{
  start_server({ .delay = {}, .never_available = {}, .unschedulable = { "capox-system/cluster-api-provider-oxide" } });
  const auto folder = test::write_stack_release("oxide", dir() / "components");
  auto s = settings();
  s.configured = folder.string();
  auto o = options();
  o.timeout = std::chrono::seconds(10);
  auto report = install("oxide", s, o);
  ASSERT_FALSE(report);
  const auto& m = report.error().message();
  EXPECT_TRUE(m.starts_with("not all Cluster API controllers became available: capox: ")) << m;
  EXPECT_NE(m.find("capox-system/cluster-api-provider-oxide"), std::string::npos) << m;
  EXPECT_NE(m.find("is not scheduled: 0/1 nodes are available: 1 node(s) had untolerated taint"), std::string::npos)
    << m;
}

// clusterctl.yaml's `images:` mirror reaches the Deployments, applied after
// the stack's own rules (Oracle's repository for the core, then the mirror).
TEST_F(StackInstall, ClusterctlYamlImagesMirrorTheDeploymentsAfterTheStacksRules)
{
  test::write_stack_release("oci", dir() / "home/.config/cluster-api/overrides");
  write("home/.config/cluster-api/clusterctl.yaml", R"(images:
  cluster-api:
    repository: mirror.local:5000/olcne
  cert-manager:
    repository: mirror.local:5000/jetstack
)");
  auto loaded = source_settings("", Environment::from_map({ { "HOME", (dir() / "home").string() } }));
  ASSERT_TRUE(loaded) << loaded.error().message();
  auto s = settings();
  s.clusterctl = loaded->clusterctl;
  auto o = options();
  o.values = providers::oci::credential_values("ocid1.tenancy.oc1..t",
                                               "ocid1.user.oc1..u",
                                               "aa:bb",
                                               "us-ashburn-1",
                                               "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                                               "");
  auto report = install("oci", s, o);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(image_of(*server, "capi-system", "capi-controller-manager"),
            "mirror.local:5000/olcne/cluster-api-controller:v1.10.8");
  EXPECT_EQ(image_of(*server, "cert-manager", "cert-manager"),
            "mirror.local:5000/jetstack/cert-manager-controller:v1.19.4");
  // Components without an entry keep the stack's images.
  EXPECT_EQ(image_of(*server, "capi-kubeadm-bootstrap-system", "capi-kubeadm-bootstrap-controller-manager"),
            "container-registry.oracle.com/olcne/kubeadm-bootstrap-controller:v1.10.8");
}

} // namespace
} // namespace ocne::clusterctl
