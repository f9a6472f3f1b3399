// Promises of docs/cluster-api.md that need a test of their own, through the
// binary (docs/test-plan-capi.md names each): which kubeconfig is the
// management cluster, the profile's credentials in CAPOCI's Secret, apply
// leaving existing objects alone, the move waited for while Cluster API
// provisions, the Cluster's name recorded before its first object, the
// cluster lock, the JSON fields, boot images kept by delete, delete's
// refusals and the poll interval.

#include "pkg/core/fs.hpp"
#include "pkg/k8s/base64.hpp"
#include "tests/e2e/capi/capi_cli.hpp"
#include "tests/support/child.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <regex>
#include <set>
#include <thread>

namespace ocne::test {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

class CapiPromises : public CapiCliTest
{
protected:
  // A kubeconfig like the management cluster's whose server nobody listens on.
  std::filesystem::path
  dead_kubeconfig()
  {
    auto text = fs::read_file(world->management_kubeconfig()).value();
    text = std::regex_replace(text, std::regex(R"(https://127\.0\.0\.1:[0-9]+)"), "https://127.0.0.1:1");
    return write("dead.kubeconfig", text, 0600);
  }

  // Polls (1 ms) until done() holds or the child ends; whether it held.
  static bool
  wait_for(Child& child, const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(90))
  {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (done()) {
        return true;
      }
      if (!child.running()) {
        return done();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  // GETs of the management cluster whose target contains needle.
  int
  gets_of(const std::string& needle) const
  {
    int n = 0;
    for (const auto& r : world->requests(CapiWorld::management_side)) {
      n += r.method == "GET" && has(r.target, needle) ? 1 : 0;
    }
    return n;
  }
};

// providers.<p>.kubeconfig wins over `-k` and the file's `kubeconfig` (and
// KUBECONFIG): named dead there, the start stops on it though the others
// name a cluster that answers.
TEST_F(CapiPromises, TheProvidersKubeconfigWinsOverDashKAndKubeconfig)
{
  start_world({ .provider = "oci" });
  const auto dead = dead_kubeconfig();
  const auto good = world->management_kubeconfig().string();
  const auto file =
    world->write_cluster_file("demo", "kubeconfig: " + good + "\n", "kubeconfig: " + dead.string() + "\n");
  const auto r = ocne({ "cluster", "start", "-c", file.string(), "-k", good });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "the management cluster (" + dead.string() + ") does not answer")) << r.err;
  EXPECT_FALSE(cached("demo"));
  EXPECT_EQ(writes(CapiWorld::management_side), 0);
}

// A start killed once its resources are created, then run again: the
// objects that exist are not written again, and the JSON says they existed.
// The same start's CAPOCI Secret holds the profile of ~/.oci/config.
TEST_F(CapiPromises, ARerunLeavesExistingObjectsAsTheyAreAndCapociHasTheProfile)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo");
  auto r = ocne({ "cluster", "start", "-c", file.string() }, { { "OCNE_TEST_KILL_AT", "apply finished" } });
  ASSERT_EQ(r.signal, SIGKILL) << r.err;
  world->settle();
  std::map<std::string, std::string> versions; // "Kind name" -> resourceVersion of objects ocne applied
  for (const auto& [api, kind] : std::vector<std::pair<std::string, std::string>>{
         { "cluster.x-k8s.io/v1beta1", "Cluster" },
         { "infrastructure.cluster.x-k8s.io/v1beta2", "OCICluster" },
         { "controlplane.cluster.x-k8s.io/v1beta1", "KubeadmControlPlane" },
         { "infrastructure.cluster.x-k8s.io/v1beta2", "OCIMachineTemplate" },
         { "bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfigTemplate" },
         { "cluster.x-k8s.io/v1beta1", "MachineDeployment" } }) {
    for (const auto& o : world->management().list(api, kind, "ocne")) {
      versions[kind + " " + o["metadata"].value("name", "")] = o["metadata"].value("generation", json(0)).dump();
    }
  }
  ASSERT_EQ(versions.size(), 7U);
  world->management().clear_requests();

  r = ocne({ "cluster", "start", "-c", file.string(), "--output", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto result = json::parse(r.out);
  EXPECT_EQ(result["outcome"], "resumed");
  EXPECT_EQ(result["objects"]["created"], json::array()) << result.dump();
  EXPECT_EQ(result["objects"]["existing"].size(), 7U) << result.dump();
  EXPECT_TRUE(has(result["objects"]["existing"].dump(), "Cluster ocne/demo")) << result.dump();
  EXPECT_EQ(result["selfManaged"], false);
  // Every architecture's image, named by its arch.
  std::set<std::string> archs;
  for (const auto& i : result["images"]) {
    archs.insert(i.value("arch", ""));
    EXPECT_EQ(i["id"], world->image_id(i.value("arch", ""))) << result.dump();
  }
  EXPECT_EQ(archs, (std::set<std::string>{ "amd64", "arm64" })) << result.dump();
  // No write of the rerun changed an object of the cluster's namespace (a
  // create refused as AlreadyExists stores nothing), and the objects' spec
  // (generation) is what the first run made.
  for (const auto& q : world->requests(CapiWorld::management_side)) {
    if (q.method != "GET" && q.status < 300 && !has(q.target, "dryRun=All")) {
      EXPECT_FALSE(has(q.target, "/namespaces/ocne/")) << q.method << " " << q.target << " " << q.status;
    }
  }
  for (const auto& [ref, generation] : versions) {
    const auto space = ref.find(' ');
    const auto kind = ref.substr(0, space);
    bool found = false;
    for (const auto& [api, k] : std::vector<std::pair<std::string, std::string>>{
           { "cluster.x-k8s.io/v1beta1", "Cluster" },
           { "infrastructure.cluster.x-k8s.io/v1beta2", "OCICluster" },
           { "controlplane.cluster.x-k8s.io/v1beta1", "KubeadmControlPlane" },
           { "infrastructure.cluster.x-k8s.io/v1beta2", "OCIMachineTemplate" },
           { "bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfigTemplate" },
           { "cluster.x-k8s.io/v1beta1", "MachineDeployment" } }) {
      if (k == kind) {
        const auto o = world->management().get(api, kind, "ocne", ref.substr(space + 1));
        ASSERT_TRUE(o) << ref;
        EXPECT_EQ((*o)["metadata"].value("generation", json(0)).dump(), generation) << ref;
        found = true;
      }
    }
    EXPECT_TRUE(found) << ref;
  }

  // CAPOCI's credentials are the profile of ~/.oci/config, key included.
  const auto config = fs::read_file(world->home() / ".oci" / "config").value();
  const auto key = fs::read_file(world->home() / ".oci" / "key.pem").value();
  const auto auth = world->management().get("v1", "Secret", "cluster-api-provider-oci-system", "capoci-auth-config");
  ASSERT_TRUE(auth);
  std::map<std::string, std::string> data;
  for (const auto& [k, v] : (*auth)["data"].items()) {
    data[k] = k8s::base64_decode(v.get<std::string>()).value_or("<not base64>");
  }
  auto profile = [&](const std::string& field) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(config, m, std::regex(field + "=(.*)"))) << field;
    return m.size() > 1 ? m[1].str() : std::string();
  };
  EXPECT_EQ(data["tenancy"], profile("tenancy"));
  EXPECT_EQ(data["user"], profile("user"));
  EXPECT_EQ(data["fingerprint"], profile("fingerprint"));
  EXPECT_EQ(data["region"], profile("region"));
  EXPECT_EQ(data["key"], key);

  // A second cluster on the same management cluster finds the stack there.
  const auto two = world->write_cluster_file("two");
  r = ocne({ "cluster", "start", "-c", two.string(), "--output", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto second = json::parse(r.out);
  EXPECT_EQ(second["components"]["installed"], json::array()) << second.dump();
  EXPECT_EQ(second["components"]["present"].size(), 5U) << second.dump();
  EXPECT_TRUE(has(second["components"]["present"].dump(), "cert-manager v")) << second.dump();
}

// A self-managed start killed before its pivot, run again while a Machine
// has lost its node: the move is refused while Cluster API provisions, and
// waited for ("Waiting to move") until the Machine has its node again. Then,
// with its Cluster gone from itself, delete refuses instead of forgetting it.
TEST_F(CapiPromises, ThePivotWaitsWhileAMachineProvisionsAndDeleteNeedsTheClusterSomewhere)
{
  auto failing = std::make_shared<std::atomic<bool>>(false);
  start_world(
    { .provider = "oci", .machine_failure = [failing](const json&) -> std::optional<kube::InfrastructureFailure> {
       if (failing->load()) {
         return kube::InfrastructureFailure{ .reason = "Relaunching", .message = "the instance is relaunched" };
       }
       return std::nullopt;
     } });
  const auto file = world->write_cluster_file("self", "", "selfManaged: true\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() }, { { "OCNE_TEST_KILL_AT", "pivot" } });
  ASSERT_EQ(r.signal, SIGKILL) << r.err;
  world->settle();
  const std::string core = "cluster.x-k8s.io/v1beta1";
  const auto machines = world->management().list(core, "Machine", "ocne");
  ASSERT_FALSE(machines.empty());
  const std::string machine = machines[0]["metadata"]["name"];
  failing->store(true);
  auto m = machines[0];
  m["status"].erase("nodeRef");
  world->management().update_status(m);
  world->settle();
  ASSERT_FALSE(world->management().get(core, "Machine", "ocne", machine)->at("status").contains("nodeRef"));

  {
    Child child({ ocne_binary().string(), "cluster", "start", "-c", file.string(), "--output", "json" },
                ocne_env(),
                dir() / "out",
                dir() / "err");
    const auto waiting =
      "Waiting to move the Cluster API objects: cannot start the move operation while Machine ocne/" + machine +
      " is still provisioning the node";
    EXPECT_TRUE(wait_for(child, [&] { return has(fs::read_file(dir() / "err").value_or(""), waiting); }))
      << fs::read_file(dir() / "err").value_or("");
    // The instance is back: its controller gives the Machine its node again.
    failing->store(false);
    world->management().merge_patch(
      core, "Machine", "ocne", machine, { { "metadata", { { "annotations", { { "test/relaunched", "true" } } } } } });
    ASSERT_EQ(child.wait(), 0) << fs::read_file(dir() / "err").value_or("");
  }
  const auto result = json::parse(fs::read_file(dir() / "out").value());
  EXPECT_EQ(result["selfManaged"], true);
  EXPECT_EQ(result["pivoted"], true);
  EXPECT_EQ(result["resumedAfter"].size(), 7U) << result.dump();
  EXPECT_EQ(world->count(CapiWorld::workload_side, core, "Cluster"), 1U);
  EXPECT_EQ(world->count(CapiWorld::management_side, core, "Cluster"), 0U);

  // The Cluster goes from the cluster itself (someone deleted it by hand):
  // it is in neither cluster now, and delete refuses.
  world->workload().remove(core, "Cluster", "ocne", "self");
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (world->count(CapiWorld::workload_side, core, "Cluster") != 0 && Clock::now() < deadline) {
    world->settle();
  }
  ASSERT_EQ(world->count(CapiWorld::workload_side, core, "Cluster"), 0U);
  r = ocne({ "cluster", "delete", "-C", "self" });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "was moved into itself, but its Cluster is neither there")) << r.err;
  EXPECT_TRUE(cached("self"));
  EXPECT_TRUE(std::filesystem::exists(kubeconfig("self")));
}

// A self-managed start whose move is refused by the cluster itself (one
// MachineDeployment create answered 403): the error reaches the user naming
// the move and the object, the start exits 1, the copy in the target is
// deleted again and the source Cluster unpaused; the same command then
// finishes the pivot with exactly one Cluster.
TEST_F(CapiPromises, AMoveTheTargetRefusesIsReportedAndTheNextRunFinishesThePivot)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("self", "", "selfManaged: true\n");
  const std::string core = "cluster.x-k8s.io/v1beta1";
  world->workload().faults().fail_next(
    1,
    { .kind = kube::Fault::Kind::status, .status = 403, .message = "injected: creation refused by policy" },
    "POST",
    "/apis/" + core + "/namespaces/ocne/machinedeployments");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(world->workload().faults().injected(), 1) << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "ocne: error: ")) << r.err;
  EXPECT_TRUE(has(r.err, "move failed: creating MachineDeployment ocne/")) << r.err;
  EXPECT_TRUE(has(r.err, "injected: creation refused by policy")) << r.err;
  EXPECT_TRUE(has(r.err, "the source is complete and unpaused")) << r.err;
  // The source keeps the cluster, unpaused; the target holds no copy.
  const auto cluster = world->management().get(core, "Cluster", "ocne", "self");
  ASSERT_TRUE(cluster.has_value());
  EXPECT_FALSE(cluster->at("spec").value("paused", false)) << cluster->dump();
  EXPECT_EQ(world->count(CapiWorld::workload_side, core, "Cluster"), 0U);
  EXPECT_NE(cached_state("self", "capi.pivoted"), "true");

  r = ocne({ "cluster", "start", "-c", file.string(), "--output", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["pivoted"], true);
  EXPECT_EQ(world->count(CapiWorld::workload_side, core, "Cluster"), 1U);
  EXPECT_EQ(world->count(CapiWorld::management_side, core, "Cluster"), 0U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, core, "MachineDeployment", "ocne"), 1U);
  EXPECT_EQ(world->count(CapiWorld::management_side, core, "MachineDeployment", "ocne"), 0U);
}

// A start killed while its resources are created, after the Cluster and
// before the last object: the record names the Cluster, so delete finds it
// and deletes it instead of forgetting a cluster that exists.
TEST_F(CapiPromises, KilledAfterTheFirstObjectTheDeleteFindsTheCluster)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo");
  // The MachineDeployment comes last: its requests take long, so the kill
  // lands while the Cluster exists and it does not.
  world->management().faults().fail_next(1000,
                                         { .kind = kube::Fault::Kind::slow, .delay = std::chrono::seconds(3) },
                                         "POST",
                                         "/apis/cluster.x-k8s.io/v1beta1/namespaces/ocne/machinedeployments");
  {
    Child child(
      { ocne_binary().string(), "cluster", "start", "-c", file.string() }, ocne_env(), dir() / "out", dir() / "err");
    ASSERT_TRUE(
      wait_for(child,
               [&] {
                 try {
                   return world->management().get("cluster.x-k8s.io/v1beta1", "Cluster", "ocne", "demo").has_value();
                 } catch (const std::exception&) {
                   return false; // the stack's CRDs are not served yet
                 }
               }))
      << fs::read_file(dir() / "err").value_or("");
    child.kill(SIGKILL);
    child.wait();
  }
  world->management().faults().clear();
  ASSERT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "MachineDeployment", "ocne"), 0U);
  ASSERT_NE(cached_state("demo", "capi.step.apply"), "done");

  const auto r = ocne({ "cluster", "delete", "-C", "demo" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "Deleting Cluster ocne/demo")) << r.err;
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_FALSE(cached("demo"));
}

// Another run holds the cluster's lock (~/.ocne/locks/cluster-<name>.lock):
// a start waits 10 s for it, then stops naming it.
TEST_F(CapiPromises, ASecondRunWaitsTenSecondsForTheClustersLockFile)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo");
  const auto lock = world->home() / ".ocne" / "locks" / "cluster-demo.lock";
  std::filesystem::create_directories(lock.parent_path());
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const auto began = Clock::now();
  const auto r = ocne({ "cluster", "start", "-c", file.string() });
  const auto took = Clock::now() - began;
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "cluster 'demo' is in use by another ocne run")) << r.err;
  EXPECT_TRUE(has(r.err, "(lock file " + lock.string() + ")")) << r.err;
  EXPECT_GE(took, std::chrono::milliseconds(9900));
  EXPECT_FALSE(cached("demo"));
  EXPECT_EQ(writes(CapiWorld::management_side), 0);
}

// OCNE_CAPI_POLL_MS sets how often a wait asks, and 2000 ms is the default:
// counted as GETs of the kubeconfig Secret a Cluster that never provisions
// leaves the workload step waiting for.
TEST_F(CapiPromises, ThePollIntervalIsOcneCapiPollMsAndTwoSecondsByDefault)
{
  start_world(
    { .provider = "oci",
      .infrastructure_failure = kube::InfrastructureFailure{ .reason = "Stuck", .message = "still waiting" } });
  const auto file = world->write_cluster_file("demo");
  const std::string secret = "/api/v1/namespaces/ocne/secrets/demo-kubeconfig";
  // OCNE_CAPI_TIMEOUT bounds every wait, the stack's included: a first run
  // installs the stack and is killed there, so the short timeouts below meet
  // only the kubeconfig's wait, however loaded the machine is.
  auto installed =
    ocne({ "cluster", "start", "-c", file.string() }, { { "OCNE_TEST_KILL_AT", "components finished" } });
  ASSERT_EQ(installed.signal, SIGKILL) << installed.err;
  world->management().clear_requests();
  // 4 s asked every 50 ms: dozens of times (the default would ask 2 or 3 times).
  auto r = ocne({ "cluster", "start", "-c", file.string() }, { { "OCNE_CAPI_POLL_MS", "50" } }, 4);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  ASSERT_TRUE(has(r.err, "has no kubeconfig after")) << r.err;
  EXPECT_GE(gets_of(secret), 10);

  // Unset, over 5 s (the stack is in place now): at 0, 2 and 4 s, perhaps 6.
  world->management().clear_requests();
  r = ocne({ "cluster", "start", "-c", file.string() }, { { "OCNE_CAPI_POLL_MS", "" } }, 5);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  ASSERT_TRUE(has(r.err, "has no kubeconfig after")) << r.err;
  EXPECT_GE(gets_of(secret), 2);
  EXPECT_LE(gets_of(secret), 5);
}

} // namespace
} // namespace ocne::test
