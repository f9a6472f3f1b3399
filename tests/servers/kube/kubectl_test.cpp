// Real kubectl against the test server: the proof that it speaks Kubernetes.

#include "pkg/core/process.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/servers/kube/pod_controllers.hpp"
#include "tests/support/kube_workloads.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace ocne::test::kube {
namespace {

using nlohmann::json;

constexpr const char* k_cluster = R"(apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: demo
  namespace: default
  labels:
    cluster.x-k8s.io/cluster-name: demo
spec:
  clusterNetwork:
    pods:
      cidrBlocks: ["192.168.0.0/16"]
  controlPlaneEndpoint:
    host: 10.0.0.1
    port: 6443
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineDeployment
metadata:
  name: demo-md-0
  namespace: default
spec:
  clusterName: demo
  replicas: 2
  selector:
    matchLabels: null
  template:
    spec:
      clusterName: demo
      bootstrap:
        dataSecretName: demo-bootstrap
      infrastructureRef:
        apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
        kind: OCIMachineTemplate
        name: demo-md-0
---
apiVersion: v1
kind: Secret
metadata:
  name: demo-kubeconfig
  namespace: default
stringData:
  value: "apiVersion: v1\nkind: Config\n"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-settings
  namespace: default
data:
  region: us-ashburn-1
)";

class KubectlTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    if (!program_exists("kubectl")) {
      GTEST_SKIP() << "kubectl is not installed (see scripts/packages/kube.txt)";
    }
  }

  void
  start(std::vector<std::filesystem::path> crds = {})
  {
    ServerOptions o;
    o.kubeconfig_path = dir() / "kubeconfig";
    o.crd_paths = std::move(crds);
    server = std::make_unique<KubeTestServer>(o);
    server->start();
  }

  ProcessResult
  kubectl(std::vector<std::string> args,
          const std::string& input = "",
          std::function<void(std::string_view)> on_stdout = nullptr)
  {
    ProcessOptions o;
    o.argv = { "kubectl" };
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    std::map<std::string, std::string> env;
    if (const char* path = std::getenv("PATH")) {
      env["PATH"] = path;
    }
    env["HOME"] = (dir() / "home").string(); // discovery cache stays in the test's folder
    env["KUBECONFIG"] = (dir() / "kubeconfig").string();
    o.env = env;
    o.stdin_data = input;
    o.timeout = std::chrono::seconds(60);
    o.on_stdout = std::move(on_stdout);
    auto r = run_process(o);
    if (!r) {
      ADD_FAILURE() << r.error().message();
      return {};
    }
    return *r;
  }

  static std::filesystem::path
  crd(const std::string& provider, const std::string& file)
  {
    return shared_path("crds") / provider / file;
  }

  std::unique_ptr<KubeTestServer> server;
};

int
count(const std::string& text, const std::string& needle)
{
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST_F(KubectlTest, AppliesEverySharedCrdServerSideAndListsThem)
{
  OCNE_REQUIRE_SHARED();
  start();
  const auto crds = shared_path("crds");
  const auto r = kubectl({ "apply",
                           "--server-side",
                           "-f",
                           (crds / "capi").string(),
                           "-f",
                           (crds / "oci").string(),
                           "-f",
                           (crds / "oxide").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int files = 0;
  for (const char* provider : { "capi", "oci", "oxide" }) {
    for (const auto& e : std::filesystem::directory_iterator(crds / provider)) {
      files += e.path().extension() == ".yaml" ? 1 : 0;
    }
  }
  EXPECT_EQ(count(r.out, "serverside-applied"), files) << r.out;

  const auto list = kubectl({ "get", "crds", "-o", "name" });
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(count(list.out, "customresourcedefinition.apiextensions.k8s.io/"), files) << list.out;
  EXPECT_NE(list.out.find("customresourcedefinition.apiextensions.k8s.io/clusters.cluster.x-k8s.io\n"),
            std::string::npos);
  EXPECT_NE(
    list.out.find("customresourcedefinition.apiextensions.k8s.io/oxideclusters.infrastructure.cluster.x-k8s.io\n"),
    std::string::npos);

  // Established CRDs serve their kinds: discovery tells kubectl about them.
  const auto resources = kubectl({ "api-resources", "--api-group=cluster.x-k8s.io", "-o", "name" });
  ASSERT_EQ(resources.exit_code, 0) << resources.err;
  EXPECT_NE(resources.out.find("clusters.cluster.x-k8s.io\n"), std::string::npos) << resources.out;

  // Applying the same files again changes nothing and still succeeds.
  const auto again =
    kubectl({ "apply", "--server-side", "-f", crd("capi", "cluster.x-k8s.io_clusters.yaml").string() });
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(KubectlTest, ClientSideApplyOfAHugeCrdHitsTheAnnotationLimit)
{
  OCNE_REQUIRE_SHARED();
  start();
  // The last-applied-configuration annotation of this CRD is larger than
  // the 256 KiB kube-apiserver allows, which is why the CRDs go server-side.
  const auto r =
    kubectl({ "apply", "-f", crd("capi", "controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml").string() });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("metadata.annotations: Too long: must have at most 262144 bytes"), std::string::npos) << r.err;
}

TEST_F(KubectlTest, AppliesAClusterWithOtherObjectsAndReadsThemBack)
{
  OCNE_REQUIRE_SHARED();
  start({ crd("capi", "cluster.x-k8s.io_clusters.yaml"), crd("capi", "cluster.x-k8s.io_machinedeployments.yaml") });
  const auto file = write("cluster.yaml", k_cluster);
  const auto r = kubectl({ "apply", "-f", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cluster.cluster.x-k8s.io/demo created"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("machinedeployment.cluster.x-k8s.io/demo-md-0 created"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("secret/demo-kubeconfig created"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("configmap/demo-settings created"), std::string::npos) << r.out;

  const auto yaml = kubectl({ "get", "cluster", "demo", "-o", "json" });
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  const auto obj = json::parse(yaml.out);
  EXPECT_EQ(obj["apiVersion"], "cluster.x-k8s.io/v1beta2"); // the preferred version
  EXPECT_EQ(obj["spec"]["controlPlaneEndpoint"]["port"], 6443);
  EXPECT_EQ(obj["metadata"]["generation"], 1);
  EXPECT_FALSE(obj["metadata"]["uid"].get<std::string>().empty());

  const auto v1beta1 = kubectl({ "get", "clusters.v1beta1.cluster.x-k8s.io", "demo", "-o", "jsonpath={.apiVersion}" });
  EXPECT_EQ(v1beta1.out, "cluster.x-k8s.io/v1beta1") << v1beta1.err;

  // The printer columns of the CRD.
  const auto table = kubectl({ "get", "clusters" });
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("NAME ", 0), 0U) << table.out;
  EXPECT_NE(table.out.find("PHASE"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("\ndemo "), std::string::npos) << table.out;

  const auto secret = kubectl({ "get", "secret", "demo-kubeconfig", "-o", "jsonpath={.data.value}" });
  EXPECT_EQ(secret.out, "YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmlnCg==") << secret.err;

  const auto selected = kubectl({ "get", "clusters", "-l", "cluster.x-k8s.io/cluster-name=demo", "-o", "name" });
  EXPECT_EQ(selected.out, "cluster.cluster.x-k8s.io/demo\n") << selected.err;
  const auto none = kubectl({ "get", "clusters", "-l", "cluster.x-k8s.io/cluster-name!=demo", "-o", "name" });
  EXPECT_EQ(none.out, "") << none.err;
}

TEST_F(KubectlTest, WatchSeesAddModifyAndDelete)
{
  start();
  std::mutex mutex;
  std::string seen;
  std::atomic<bool> done{ false };
  ProcessResult watch;
  std::thread watcher([&] {
    const std::vector<std::string> args = { "get", "configmaps",
                                            "-w",  "--output-watch-events",
                                            "-o",  R"(jsonpath={.type} {.object.metadata.name}{"\n"})" };
    watch = kubectl(args, "", [&](std::string_view chunk) {
      const std::lock_guard lock(mutex);
      seen.append(chunk);
    });
    done = true;
  });
  auto wait_for = [&](const std::string& text) {
    for (int i = 0; i < 300; ++i) {
      {
        const std::lock_guard lock(mutex);
        if (seen.find(text) != std::string::npos) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  for (int i = 0; i < 300 && server->open_watches() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(server->open_watches(), 1);
  server->create({ { "apiVersion", "v1" },
                   { "kind", "ConfigMap" },
                   { "metadata", { { "name", "watched" } } },
                   { "data", { { "a", "1" } } } });
  EXPECT_TRUE(wait_for("ADDED watched"));
  const auto label = kubectl({ "label", "configmap", "watched", "stage=two" });
  EXPECT_EQ(label.exit_code, 0) << label.err;
  EXPECT_TRUE(wait_for("MODIFIED watched"));
  const auto del = kubectl({ "delete", "configmap", "watched" });
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_TRUE(wait_for("DELETED watched"));
  // A watch the server ends cleanly ends kubectl get -w too.
  server->disconnect_watches(false);
  watcher.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(watch.exit_code, 0) << watch.err;
  EXPECT_EQ(seen, "ADDED watched\nMODIFIED watched\nDELETED watched\n");
}

TEST_F(KubectlTest, DeleteRemovesAndReportsNotFoundAfterwards)
{
  OCNE_REQUIRE_SHARED();
  start({ crd("capi", "cluster.x-k8s.io_clusters.yaml"), crd("capi", "cluster.x-k8s.io_machinedeployments.yaml") });
  ASSERT_EQ(kubectl({ "apply", "-f", write("cluster.yaml", k_cluster).string() }).exit_code, 0);
  const auto del = kubectl({ "delete", "cluster", "demo" });
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(del.out, "cluster.cluster.x-k8s.io \"demo\" deleted\n");
  const auto get = kubectl({ "get", "cluster", "demo" });
  EXPECT_NE(get.exit_code, 0);
  EXPECT_EQ(get.err, "Error from server (NotFound): clusters.cluster.x-k8s.io \"demo\" not found\n");
  const auto cm = kubectl({ "delete", "configmap", "demo-settings", "secret/demo-kubeconfig" });
  EXPECT_NE(cm.exit_code, 0); // "secret/..." with a type first is a usage error in kubectl
  const auto both = kubectl({ "delete", "configmap/demo-settings", "secret/demo-kubeconfig" });
  EXPECT_EQ(both.exit_code, 0) << both.err;
  EXPECT_EQ(both.out, "configmap \"demo-settings\" deleted\nsecret \"demo-kubeconfig\" deleted\n");
}

TEST_F(KubectlTest, ServerSideApplyConflictIsReportedAndForceConflictsResolvesIt)
{
  start();
  const auto alice =
    write("alice.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  color: blue\n");
  const auto bob =
    write("bob.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  color: red\n");
  ASSERT_EQ(kubectl({ "apply", "--server-side", "--field-manager=alice", "-f", alice.string() }).exit_code, 0);

  const auto conflict = kubectl({ "apply", "--server-side", "--field-manager=bob", "-f", bob.string() });
  EXPECT_NE(conflict.exit_code, 0);
  EXPECT_EQ(conflict.err.rfind("error: Apply failed with 1 conflict: conflict with \"alice\": .data.color\n"
                               "Please review the fields above--they currently have other managers.",
                               0),
            0U)
    << conflict.err;
  EXPECT_EQ(server->get("v1", "ConfigMap", "default", "shared")->at("data").at("color"), "blue");

  const auto forced =
    kubectl({ "apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", bob.string() });
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  const auto cm = *server->get("v1", "ConfigMap", "default", "shared");
  EXPECT_EQ(cm["data"]["color"], "red");
  // bob took the field over; alice owns nothing any more and is gone.
  ASSERT_EQ(cm["metadata"]["managedFields"].size(), 1U) << cm.dump(2);
  EXPECT_EQ(cm["metadata"]["managedFields"][0]["manager"], "bob");
  EXPECT_EQ(cm["metadata"]["managedFields"][0]["operation"], "Apply");

  // Client-side apply records its own manager; server-side apply then conflicts with it.
  const auto csa = write("csa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: csa\ndata:\n  k: one\n");
  ASSERT_EQ(kubectl({ "apply", "-f", csa.string() }).exit_code, 0);
  const auto ssa = write("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: csa\ndata:\n  k: two\n");
  const auto mixed = kubectl({ "apply", "--server-side", "-f", ssa.string() });
  EXPECT_NE(mixed.exit_code, 0);
  EXPECT_EQ(
    mixed.err.rfind("error: Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: "
                    ".data.k\n",
                    0),
    0U)
    << mixed.err;
}

TEST_F(KubectlTest, SchemaViolationsAreRejectedWithTheFieldPath)
{
  OCNE_REQUIRE_SHARED();
  start({ crd("capi", "cluster.x-k8s.io_clusters.yaml") });
  std::string bad = k_cluster;
  bad = bad.substr(0, bad.find("---"));
  const auto typed = write("typed.yaml", std::string(bad).replace(bad.find("port: 6443"), 10, "port: \"6443\""));
  const auto r = kubectl({ "apply", "-f", typed.string() });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("The Cluster \"demo\" is invalid: spec.controlPlaneEndpoint.port: Invalid value: \"string\": "
                       "spec.controlPlaneEndpoint.port in body must be of type integer: \"string\""),
            std::string::npos)
    << r.err;
  EXPECT_FALSE(server->get("cluster.x-k8s.io/v1beta1", "Cluster", "default", "demo"));

  // kubectl asks for strict field validation: unknown fields are errors.
  const auto unknown =
    write("unknown.yaml", std::string(bad).replace(bad.find("port: 6443"), 10, "port: 6443\n    portt: 1"));
  const auto u = kubectl({ "apply", "--server-side", "-f", unknown.string() });
  EXPECT_NE(u.exit_code, 0);
  EXPECT_NE(u.err.find("Cluster in version \"v1beta1\" cannot be handled as a Cluster: strict decoding error: unknown "
                       "field \"spec.controlPlaneEndpoint.portt\""),
            std::string::npos)
    << u.err;

  // An unknown kind.
  const auto kind = write("kind.yaml", "apiVersion: cluster.x-k8s.io/v1beta1\nkind: Clusterr\nmetadata:\n  name: x\n");
  const auto k = kubectl({ "apply", "-f", kind.string() });
  EXPECT_NE(k.exit_code, 0);
  EXPECT_NE(k.err.find("no matches for kind \"Clusterr\" in version \"cluster.x-k8s.io/v1beta1\""), std::string::npos)
    << k.err;
}

TEST_F(KubectlTest, LogsOfContainersCurrentAndPreviousWithTheApisRefusals)
{
  start();
  server->create(json::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
    "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "a"}, {"name": "side", "image": "s"}]}})"));
  server->merge_patch("v1",
                      "Pod",
                      "default",
                      "web",
                      json::parse(R"({"status": {"phase": "Running",
    "containerStatuses": [
      {"name": "app", "image": "a", "imageID": "", "ready": true, "restartCount": 1,
       "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}},
       "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}},
      {"name": "side", "image": "s", "imageID": "", "ready": false, "restartCount": 0,
       "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}})"),
                      "status");
  server->set_pod_log("default", "web", "app", "line 1\nline 2\nline 3\n");
  server->set_pod_log("default", "web", "app", "panic: before the restart\n", true);

  auto r = kubectl({ "logs", "web", "-c", "app" });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "line 1\nline 2\nline 3\n");
  r = kubectl({ "logs", "web", "-c", "app", "--tail", "2" });
  EXPECT_EQ(r.out, "line 2\nline 3\n");
  r = kubectl({ "logs", "web", "-c", "app", "--previous" });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "panic: before the restart\n");
  r = kubectl({ "logs", "web", "-c", "side" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("container \"side\" in pod \"web\" is waiting to start: ImagePullBackOff"), std::string::npos)
    << r.err;
  r = kubectl({ "logs", "web", "-c", "side", "--previous" });
  EXPECT_NE(r.err.find("previous terminated container \"side\" in pod \"web\" not found"), std::string::npos) << r.err;
  r = kubectl({ "logs", "web", "-c", "nope" });
  EXPECT_NE(r.err.find("container nope is not valid for pod web"), std::string::npos) << r.err;
  r = kubectl({ "logs", "gone" });
  EXPECT_NE(r.err.find("pods \"gone\" not found"), std::string::npos) << r.err;
}

TEST_F(KubectlTest, ExecOverWebSocketWithStdinExitCodesAndRefusals)
{
  start();
  server->create(json::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "box", "namespace": "default"},
    "spec": {"nodeName": "n1", "containers": [{"name": "main", "image": "busybox"}]}})"));
  server->merge_patch("v1", "Pod", "default", "box", json::parse(R"({"status": {"phase": "Running"}})"), "status");
  server->on_exec([](const ExecCall& call, ExecIo& io) {
    if (call.command.at(0) == "cat") {
      std::string all;
      for (auto in = io.next(); in.kind != ExecIo::Input::Kind::end; in = io.next()) {
        all += in.data;
      }
      io.out("got: " + all);
      return 0;
    }
    io.err("no such command\n");
    return 5;
  });
  auto r = kubectl({ "exec", "-i", "box", "--", "cat" }, "hello from kubectl\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "got: hello from kubectl\n");
  EXPECT_EQ(server->exec_calls().back().protocol, "v5.channel.k8s.io");
  r = kubectl({ "exec", "box", "--", "frobnicate" });
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("no such command"), std::string::npos) << r.err;
  r = kubectl({ "exec", "gone", "--", "cat" });
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("pods \"gone\" not found"), std::string::npos) << r.err;
}

// kubectl drain cordons, finds the eviction subresource through discovery,
// and retries the pod the budget refuses until its evicted sibling is back
// Ready on the other node.
TEST_F(KubectlTest, DrainEvictsThroughTheBudgetAndRetriesItsRefusal)
{
  start();
  add_node(*server, "n1");
  add_node(*server, "n2");
  add_replicaset(*server, "default", "web", { "n1", "n1" });
  add_budget(*server, "default", "web", "web", 1);
  play_disruption_controller(*server);
  play_replicaset_pods(*server, { .ready_after = std::chrono::milliseconds(200) });
  server->wait_idle();

  const auto r = kubectl({ "drain", "n1", "--ignore-daemonsets", "--timeout=90s" });
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("Cannot evict pod as it would violate the pod's disruption budget."), std::string::npos) << all;
  EXPECT_NE(all.find("node/n1 drained"), std::string::npos) << all;
  EXPECT_EQ((*server->get("v1", "Node", "", "n1"))["spec"]["unschedulable"], true);
  const auto pods = server->list("v1", "Pod", "default");
  ASSERT_EQ(pods.size(), 2U);
  for (const auto& pod : pods) {
    EXPECT_EQ(pod["spec"]["nodeName"], "n2") << pod.dump();
  }
  int evictions = 0;
  int deletes = 0;
  for (const auto& req : server->requests()) {
    evictions += req.method == "POST" && req.target.find("/eviction") != std::string::npos ? 1 : 0;
    deletes += req.method == "DELETE" && req.target.find("/pods/") != std::string::npos ? 1 : 0;
  }
  EXPECT_GE(evictions, 3); // two pods, at least one refused
  EXPECT_EQ(deletes, 0);
}

} // namespace
} // namespace ocne::test::kube
