// `ocne cluster start/delete -P oci|oxide` as a pipeline runs them, against
// the Cluster API test world: a configured management cluster, images
// already in the cloud, add-ons in the workload cluster, a second start that
// changes nothing, JSON results, self-managed pivot and move back, a
// controller's failure reaching the user, resources the management cluster
// refuses, and deletes that can run twice.

#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "tests/e2e/capi/capi_cli.hpp"

#include <sys/stat.h>

#include <csignal>

namespace ocne::test {
namespace {

using json = nlohmann::json;

class CapiStartDelete : public CapiCliTest
{};

TEST_F(CapiStartDelete, OciFromAConfiguredManagementClusterThenAgainThenDeleteTwice)
{
  start_world({ .provider = "oci" });
  const auto images = world->image_count();
  const auto file = world->write_cluster_file("demo");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "To access the cluster:\n    use " + kubeconfig("demo").string() + "\n");
  for (const auto* line : { "Installing cert-manager into cert-manager: ok",
                            "Applying Cluster API resources",
                            "Waiting for kubeconfig: ok",
                            "Waiting for the Kubernetes cluster to be ready: ",
                            "Installing applications into workload cluster",
                            "Installing flannel into kube-flannel: ok",
                            "Installing oci-ccm into kube-system: ok",
                            "Kubernetes cluster was created successfully" }) {
    EXPECT_EQ(count_lines_with(r.err, line), 1) << line << "\n" << r.err;
  }
  // The kubeconfig is private, the images were found, and the cluster is
  // what a user expects: Ready nodes with flannel and the OCI CCM.
  struct stat st
  {};
  ASSERT_EQ(::stat(kubeconfig("demo").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_EQ(world->image_count(), images);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
  EXPECT_TRUE(nodes_ready());
  EXPECT_EQ(world->count(CapiWorld::workload_side, "apps/v1", "DaemonSet", "kube-flannel"), 1U);
  EXPECT_TRUE(world->workload().get("apps/v1", "DaemonSet", "kube-system", "oci-cloud-controller-manager"));
  const auto ccm_secret = world->workload().get("v1", "Secret", "kube-system", "oci-cloud-controller-manager");
  ASSERT_TRUE(ccm_secret);
  EXPECT_TRUE(world->workload().get("v1", "Secret", "kube-system", "oci-volume-provisioner"));
  EXPECT_EQ(cached_state("demo", "phase"), "running");
  // The API key never shows.
  const auto key = fs::read_file(world->home() / ".oci" / "key.pem");
  ASSERT_TRUE(key) << key.error().message();
  const auto body = key->substr(key->find('\n') + 1, 40);
  ASSERT_EQ(body.size(), 40U);
  EXPECT_FALSE(has(r.err, body));
  EXPECT_FALSE(has(r.out, body));

  // A start of a running cluster says so and writes nothing anywhere.
  const auto management_writes = writes(CapiWorld::management_side);
  const auto workload_writes = writes(CapiWorld::workload_side);
  r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "Cluster demo is already running")) << r.err;
  EXPECT_EQ(writes(CapiWorld::management_side), management_writes);
  EXPECT_EQ(writes(CapiWorld::workload_side), workload_writes);

  r = ocne({ "cluster", "delete", "-C", "demo" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "Deleting Cluster ocne/demo")) << r.err;
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_FALSE(std::filesystem::exists(kubeconfig("demo")));
  EXPECT_FALSE(cached("demo"));

  r = ocne({ "cluster", "delete", "-C", "demo", "-P", "oci" });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "nothing to delete")) << r.err;
}

TEST_F(CapiStartDelete, OxideWritesItsCredentialsSecretAndCcmAndAnswersInJson)
{
  start_world({ .provider = "oxide" });
  const auto file = world->write_cluster_file("demo");
  auto r = ocne({ "cluster", "start", "-c", file.string(), "--output", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto result = json::parse(r.out);
  EXPECT_EQ(result["name"], "demo");
  EXPECT_EQ(result["provider"], "oxide");
  EXPECT_EQ(result["outcome"], "created");
  EXPECT_EQ(result["kubeconfig"], kubeconfig("demo").string());
  EXPECT_EQ(result["cluster"]["namespace"], "ocne");
  EXPECT_EQ(result["cluster"]["name"], "demo");
  EXPECT_EQ(result["management"]["kubeconfig"], world->management_kubeconfig().string());
  EXPECT_EQ(result["management"]["ephemeral"], false);
  ASSERT_EQ(result["images"].size(), 1U);
  EXPECT_EQ(result["images"][0]["id"], world->image_id());
  EXPECT_EQ(result["images"][0]["source"], "found");
  EXPECT_EQ(result["components"]["installed"].size(), 5U) << result.dump();
  EXPECT_GT(result["objects"]["created"].size(), 3U);
  EXPECT_EQ(result["secrets"], json::array({ "ocne/demo-oxide-credentials" })) << result.dump();
  EXPECT_EQ(result["pivoted"], false);

  const auto credentials = world->management().get("v1", "Secret", "ocne", "demo-oxide-credentials");
  ASSERT_TRUE(credentials);
  EXPECT_TRUE(world->workload().get("apps/v1", "Deployment", "kube-system", "oxide-cloud-controller-manager"));
  EXPECT_TRUE(nodes_ready());
  const auto token = world->env().at("OXIDE_TOKEN");
  EXPECT_FALSE(has(r.err, token));
  EXPECT_FALSE(has(r.out, token));

  world->management().clear_requests();
  r = ocne({ "cluster", "delete", "-C", "demo", "-o", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto deleted = json::parse(r.out);
  EXPECT_EQ(deleted["outcome"], "deleted");
  EXPECT_EQ(deleted["cached"], true);
  // The oxide stack stores Clusters as v1beta2: the delete reads and writes
  // that version, leaning on no conversion.
  int cluster_requests = 0;
  for (const auto& q : world->requests(CapiWorld::management_side)) {
    if (has(q.target, "/apis/cluster.x-k8s.io/")) {
      EXPECT_TRUE(has(q.target, "/apis/cluster.x-k8s.io/v1beta2")) << q.method << " " << q.target;
      cluster_requests += has(q.target, "/clusters") ? 1 : 0;
    }
  }
  EXPECT_GT(cluster_requests, 0);
  EXPECT_FALSE(world->management().get("v1", "Secret", "ocne", "demo-oxide-credentials"));
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  r = ocne({ "cluster", "delete", "-C", "demo", "-P", "oxide", "-o", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["outcome"], "not found");
}

TEST_F(CapiStartDelete, SelfManagedTakesItsObjectsAlongAndDeleteMovesThemBackFirst)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("self", "", "selfManaged: true\n");
  auto r = ocne({ "cluster", "start", "-c", file.string(), "--output", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["pivoted"], true);
  EXPECT_TRUE(has(r.err, "Migrating Cluster API resources into self-managed cluster")) << r.err;
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
  EXPECT_EQ(cached_state("self", "capi.pivoted"), "true");

  // Without its kubeconfig the cluster's objects cannot be reached: delete
  // refuses instead of forgetting a cluster that still runs.
  const auto moved = kubeconfig("self").string() + ".away";
  std::filesystem::rename(kubeconfig("self"), moved);
  r = ocne({ "cluster", "delete", "-C", "self" });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "manages itself, but its kubeconfig " + kubeconfig("self").string() + " is gone")) << r.err;
  EXPECT_TRUE(cached("self"));
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
  std::filesystem::rename(moved, kubeconfig("self"));

  r = ocne({ "cluster", "delete", "-C", "self", "-o", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto deleted = json::parse(r.out);
  EXPECT_EQ(deleted["movedBack"], true);
  EXPECT_EQ(deleted["outcome"], "deleted");
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_FALSE(cached("self"));
  r = ocne({ "cluster", "delete", "-C", "self", "-P", "oci" });
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Parts that differ by provider only in their objects run for both.
// providers.oci.proxy, from defaults.yaml and the cluster file merged
// field by field, reaches the containers of the providers' controllers
// (CAPOCI's keeps its own variables) and not cert-manager's. A second
// cluster with another proxy finds the stack installed and changes nothing.
TEST_F(CapiStartDelete, TheConfiguredProxyReachesCapociAndTheOtherControllersButNotCertManager)
{
  start_world({ .provider = "oci" });
  std::filesystem::create_directories(world->home() / ".ocne");
  ASSERT_TRUE(fs::write_file_atomic(world->home() / ".ocne" / "defaults.yaml",
                                    "providers:\n  oci:\n    proxy:\n      httpProxy: http://plain.example.com:8080\n"
                                    "      noProxy: 10.96.0.0/12,.svc,.cluster.local\n"));
  const auto file = world->write_cluster_file("demo", "", "proxy:\n  httpsProxy: http://proxy.example.com:3128\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const auto env_of = [&](const std::string& ns, const std::string& name) {
    std::map<std::string, std::string> env;
    const auto d = world->management().get("apps/v1", "Deployment", ns, name);
    EXPECT_TRUE(d) << ns << "/" << name;
    if (d) {
      const auto& containers = (*d)["spec"]["template"]["spec"]["containers"];
      EXPECT_EQ(containers.size(), 1U) << d->dump();
      for (const auto& e : containers.at(0).value("env", json::array())) {
        env[e.value("name", "")] = e.value("value", "(valueFrom)");
      }
    }
    return env;
  };
  const std::map<std::string, std::string> proxy = { { "HTTPS_PROXY", "http://proxy.example.com:3128" },
                                                     { "HTTP_PROXY", "http://plain.example.com:8080" },
                                                     { "NO_PROXY", "10.96.0.0/12,.svc,.cluster.local" } };
  auto capoci = env_of("cluster-api-provider-oci-system", "capoci-controller-manager");
  EXPECT_EQ(capoci["AUTH_CONFIG_DIR"], "/etc/oci");
  capoci.erase("AUTH_CONFIG_DIR");
  EXPECT_EQ(capoci, proxy);
  for (const auto& [ns, name] : std::vector<std::pair<std::string, std::string>>{
         { "capi-system", "capi-controller-manager" },
         { "capi-kubeadm-bootstrap-system", "capi-kubeadm-bootstrap-controller-manager" },
         { "capi-kubeadm-control-plane-system", "capi-kubeadm-control-plane-controller-manager" } }) {
    auto env = env_of(ns, name);
    for (const auto& [k, v] : proxy) {
      EXPECT_EQ(env[k], v) << ns << "/" << name << " " << k;
    }
  }
  for (const auto* name : { "cert-manager", "cert-manager-webhook", "cert-manager-cainjector" }) {
    const auto env = env_of("cert-manager", name);
    EXPECT_FALSE(env.contains("HTTPS_PROXY") || env.contains("HTTP_PROXY") || env.contains("NO_PROXY")) << name;
  }

  // Another cluster, another proxy: the installed stack is left as it is.
  world->management().clear_requests();
  const auto two = world->write_cluster_file("two", "", "proxy:\n  httpsProxy: http://other.example.com:3128\n");
  r = ocne({ "cluster", "start", "-c", two.string(), "--output", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["components"]["installed"], json::array()) << r.out;
  for (const auto& q : world->requests(CapiWorld::management_side)) {
    if (q.method != "GET") {
      EXPECT_FALSE(has(q.target, "/deployments")) << q.method << " " << q.target;
    }
  }
  capoci = env_of("cluster-api-provider-oci-system", "capoci-controller-manager");
  EXPECT_EQ(capoci["HTTPS_PROXY"], "http://proxy.example.com:3128");
}

class CapiStartDeleteEach
  : public CapiCliTest
  , public ::testing::WithParamInterface<std::string>
{};

TEST_P(CapiStartDeleteEach, AControllerFailureReachesTheUserOnceAndTheNextRunContinues)
{
  start_world({ .provider = GetParam(),
                .infrastructure_failure =
                  kube::InfrastructureFailure{ .reason = "VcnReconciliationFailed",
                                               .message = "Service error:LimitExceeded. vcn-count limit reached" } });
  const auto file = world->write_cluster_file("demo");
  // OCNE_CAPI_TIMEOUT bounds every wait, the stack's too, and a loaded 2-core
  // machine can take longer than a short one to install the stack: a first run
  // installs it and is killed there, so the short timeout below meets only the
  // infrastructure's wait.
  auto installed =
    ocne({ "cluster", "start", "-c", file.string() }, { { "OCNE_TEST_KILL_AT", "components finished" } });
  ASSERT_EQ(installed.signal, SIGKILL) << installed.err;
  auto r = ocne({ "cluster", "start", "-c", file.string() }, {}, 5);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_GE(count_lines_with(r.err, "vcn-count limit reached"), 1) << r.err;
  EXPECT_LE(count_lines_with(r.err, "WARN"), 4) << r.err;
  EXPECT_TRUE(has(r.err, "run the same 'ocne cluster start' again to continue")) << r.err;
  EXPECT_EQ(cached_state("demo", "phase"), "failed");

  world->fail_infrastructure(std::nullopt);
  r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "Continuing the start of cluster demo")) << r.err;
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
  EXPECT_TRUE(nodes_ready());
}

TEST_P(CapiStartDeleteEach, ResourcesTheManagementClusterRefusesCreateNothing)
{
  start_world({ .provider = GetParam() });
  const bool oci = GetParam() == "oci";
  const std::string kind = oci ? "OCICluster" : "OxideCluster";
  // What `cluster template` prints, with one field of the wrong type.
  const auto plain = world->write_cluster_file("demo");
  auto t = ocne({ "cluster", "template", "-c", plain.string() });
  ASSERT_EQ(t.exit_code, 0) << t.err;
  auto broken = t.out;
  const auto at = broken.find("kind: " + kind + "\n");
  ASSERT_NE(at, std::string::npos);
  const std::string name = oci ? "compartmentId" : "project";
  const auto field = broken.find("  " + name + ": ", at);
  ASSERT_NE(field, std::string::npos);
  const auto end = broken.find('\n', field);
  broken.replace(field, end - field, "  " + name + ": [\"not\", \"a\", \"string\"]");
  const auto resources = write("broken.yaml", broken);
  const auto file = world->write_cluster_file("demo", "clusterDefinition: " + resources.string() + "\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "refuses one of the Cluster API resources, so none was applied")) << r.err;
  EXPECT_TRUE(has(r.err, kind + " ocne/demo")) << r.err;
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_EQ(world->count(CapiWorld::management_side,
                         oci ? "infrastructure.cluster.x-k8s.io/v1beta2" : "infrastructure.cluster.x-k8s.io/v1alpha1",
                         kind),
            0U);
  EXPECT_FALSE(world->management().get("v1", "Namespace", "", "ocne")) << "made for the refused objects alone";
  // The stack stays (it manages other clusters too); delete forgets the rest.
  r = ocne({ "cluster", "delete", "-C", "demo" });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(cached("demo"));
}

// With no management cluster the binary starts the ephemeral one on the
// configured libvirt. libvirt's test driver lives inside one process and
// cannot upload a volume, so there it fails half-way: the error names the
// step, the half-made ephemeral cluster is rolled back and nothing is
// recorded or created in the cloud. (The driver with the test driver in
// tests/component/providers/capi, and the binary with the real daemon in
// tests/e2e/libvirt, carry the same start on to the end.)
TEST_P(CapiStartDeleteEach, WithNoManagementClusterTheEphemeralOneStartsOnTheConfiguredLibvirt)
{
  if (!program_exists("qemu-img")) {
    GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
  }
  start_world({ .provider = GetParam() });
  const auto boot = dir() / "boot.qcow2";
  auto made = run_process({ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", boot.string(), "64M" } });
  ASSERT_TRUE(made && made->ok());
  std::filesystem::create_directories(world->home() / ".ocne");
  ASSERT_TRUE(fs::write_file_atomic(world->home() / ".ocne" / "defaults.yaml",
                                    "ephemeralCluster:\n  name: eph\n  node:\n    memory: 512Mi\n"));
  const auto file = world->write_cluster_file("demo", "bootVolumeContainerImage: file://" + boot.string() + "\n");
  auto text = fs::read_file(file).value();
  text.insert(text.find("providers:\n") + 11, "  libvirt:\n    uri: test:///default\n");
  ASSERT_TRUE(fs::write_file_atomic(file, text));
  const int management_writes = writes(CapiWorld::management_side);
  const auto images = world->image_count();

  // The libvirt variables reach the ephemeral cluster: the test driver's
  // host is i686, so without OCNE_LIBVIRT_ARCH its start stops there, and a
  // domain type that is not kvm or qemu is refused before anything is made.
  // (OCNE_LIBVIRT_READY_TIMEOUT: EphemeralCapiTest, on the real daemon.)
  auto r = ocne({ "cluster", "start", "-c", file.string() }, { { "KUBECONFIG", "" } });
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err,
                  "ocne: error: cannot start the ephemeral cluster eph (no management cluster is configured): "
                  "the libvirt host test:///default has architecture i686; ocne runs x86_64 and aarch64 "
                  "nodes\n"))
    << r.err;
  r = ocne({ "cluster", "start", "-c", file.string() },
           { { "KUBECONFIG", "" }, { "OCNE_LIBVIRT_ARCH", "x86_64" }, { "OCNE_LIBVIRT_DOMAIN_TYPE", "xen" } });
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err,
                  "ocne: error: cannot start the ephemeral cluster eph (no management cluster is configured): "
                  "domain type 'xen' is not kvm or qemu\n"))
    << r.err;
  EXPECT_FALSE(cached("eph"));
  EXPECT_FALSE(cached("demo"));

  r = ocne({ "cluster", "start", "-c", file.string() }, { { "KUBECONFIG", "" }, { "OCNE_LIBVIRT_ARCH", "x86_64" } });
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "No management cluster is configured; using the ephemeral cluster eph")) << r.err;
  EXPECT_TRUE(has(r.err, "Removing what the failed start of cluster eph created")) << r.err;
  EXPECT_TRUE(has(r.err,
                  "ocne: error: cannot start the ephemeral cluster eph (no management cluster is configured): "
                  "cannot upload " +
                    boot.string() +
                    " to volume boot.qcow2-1.33: this function is not "
                    "supported by the connection driver: virStorageVolUpload\n"))
    << r.err;
  EXPECT_FALSE(cached("eph"));
  EXPECT_FALSE(cached("demo"));
  EXPECT_FALSE(std::filesystem::exists(kubeconfig("eph.local")));
  EXPECT_FALSE(std::filesystem::exists(kubeconfig("demo")));
  EXPECT_EQ(writes(CapiWorld::management_side), management_writes) << "the configured world was not used";
  EXPECT_EQ(world->image_count(), images);
}

INSTANTIATE_TEST_SUITE_P(Providers, CapiStartDeleteEach, ::testing::Values("oci", "oxide"));

} // namespace
} // namespace ocne::test
