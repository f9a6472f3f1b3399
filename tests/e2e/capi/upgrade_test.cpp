// `ocne cluster upgrade` through the binary, in the Cluster API test world
// whose controllers roll machines as KubeadmControlPlane and
// MachineDeployment do (tests/servers/kube/controllers.hpp).

#include "pkg/core/fs.hpp"
#include "tests/e2e/capi/capi_cli.hpp"
#include "tests/support/child.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <thread>

namespace ocne::test {
namespace {

using json = nlohmann::json;

class CapiUpgrade
  : public CapiCliTest
  , public ::testing::WithParamInterface<std::string>
{
protected:
  std::string
  infra_kind() const
  {
    return world->provider() == "oci" ? "OCIMachineTemplate" : "OxideMachineTemplate";
  }
  std::string
  served(CapiWorld::Side side, const std::string& group, const std::string& kind)
  {
    for (const char* v : { "v1beta2", "v1beta1", "v1alpha1" }) {
      if (world->count(side, group + "/" + v, kind, "ocne") > 0) {
        return group + "/" + v;
      }
    }
    return group + "/none";
  }
  std::vector<json>
  list(const std::string& group, const std::string& kind, const std::string& selector = "")
  {
    return world->management().list(served(CapiWorld::management_side, group, kind), kind, "ocne", selector);
  }
  std::vector<json>
  machines()
  {
    return list("cluster.x-k8s.io", "Machine");
  }
  int
  all_writes() const
  {
    return writes(CapiWorld::management_side) + writes(CapiWorld::workload_side);
  }
  // Writes of one method whose path has needle, on the management side.
  int
  management_writes(const std::string& method, const std::string& needle) const
  {
    int n = 0;
    for (const auto& r : world->requests(CapiWorld::management_side)) {
      n += r.method == method && has(r.target, needle) ? 1 : 0;
    }
    return n;
  }

  // Every Machine and Node at version (e.g. "v1.34.1"), nodes Ready, the
  // infrastructure machines cloned from the copies, each template copied once.
  void
  expect_upgraded(const std::string& version, std::size_t nodes, const std::string& suffix)
  {
    const auto ms = machines();
    EXPECT_EQ(ms.size(), nodes);
    for (const auto& m : ms) {
      EXPECT_EQ(m["spec"].value("version", ""), version) << m["metadata"]["name"];
      const auto infra = world->management().get(served(CapiWorld::management_side,
                                                        "infrastructure.cluster.x-k8s.io",
                                                        world->provider() == "oci" ? "OCIMachine" : "OxideMachine"),
                                                 world->provider() == "oci" ? "OCIMachine" : "OxideMachine",
                                                 "ocne",
                                                 m["metadata"]["name"].get<std::string>());
      ASSERT_TRUE(infra) << m["metadata"]["name"];
      const std::string cloned = (*infra)["metadata"]["annotations"].value("cluster.x-k8s.io/cloned-from-name", "");
      EXPECT_TRUE(cloned.size() > suffix.size() &&
                  cloned.compare(cloned.size() - suffix.size(), suffix.size(), suffix) == 0)
        << cloned;
    }
    const auto ns = world->workload().list("v1", "Node");
    EXPECT_EQ(ns.size(), nodes);
    for (const auto& n : ns) {
      EXPECT_EQ(n["status"]["nodeInfo"].value("kubeletVersion", ""), version) << n["metadata"]["name"];
    }
    EXPECT_TRUE(nodes_ready());
    std::set<std::string> names;
    for (const auto& t : list("infrastructure.cluster.x-k8s.io", infra_kind())) {
      EXPECT_TRUE(names.insert(t["metadata"]["name"].get<std::string>()).second);
    }
    EXPECT_EQ(names.count("demo-control-plane" + suffix), 1U);
    EXPECT_EQ(names.count("demo-md-0" + suffix), 1U);
    const auto kcts = list("bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate");
    bool copied = false;
    for (const auto& t : kcts) {
      copied = copied || t["metadata"]["name"] == "demo-md-0" + suffix;
    }
    EXPECT_TRUE(copied);
  }

  // What the pools look like, for a failure's message.
  std::string
  pools()
  {
    std::string out;
    for (const auto& k : list("controlplane.cluster.x-k8s.io", "KubeadmControlPlane")) {
      out += "KubeadmControlPlane spec.version " + k["spec"].value("version", "") + " status " +
             k.value("status", json::object()).dump() + "\n";
    }
    for (const auto& m : machines()) {
      out += "Machine " + m["metadata"].value("name", "") + " " + m["spec"].value("version", "") + " " +
             m.value("status", json::object()).value("phase", "") + "\n";
    }
    return out;
  }

  std::string
  spec_of(const std::string& group, const std::string& kind, const std::string& name)
  {
    const auto o = world->management().get(served(CapiWorld::management_side, group, kind), kind, "ocne", name);
    return o ? (*o)["spec"].dump() : "";
  }
};

TEST_P(CapiUpgrade, A3Plus2ClusterGoesFrom133To134MachineByMachineAndASecondRunWritesNothing)
{
  start_world({ .provider = GetParam(), .kubernetes_versions = { "1.33", "1.34" } });
  const auto file = world->write_cluster_file("demo", "controlPlaneNodes: 3\nworkerNodes: 2\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() }, {}, 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  world->settle();
  const auto old_cp = spec_of("infrastructure.cluster.x-k8s.io", infra_kind(), "demo-control-plane");
  const auto old_md = spec_of("infrastructure.cluster.x-k8s.io", infra_kind(), "demo-md-0");
  const auto old_kct = spec_of("bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate", "demo-md-0");
  std::set<std::string> before;
  for (const auto& m : machines()) {
    before.insert(m["metadata"]["name"].get<std::string>());
  }
  const auto images = world->image_count();

  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.34", "-o", "json" }, {}, 100);
  ASSERT_EQ(r.exit_code, 0) << r.err << pools();
  const auto out = json::parse(r.out);
  EXPECT_EQ(out["outcome"], "upgraded");
  EXPECT_EQ(out["from"], "1.33");
  ASSERT_EQ(out["hops"].size(), 1U) << r.out;
  const auto& hop = out["hops"][0];
  EXPECT_EQ(hop["to"], "1.34");
  EXPECT_EQ(hop["machinesReplaced"], 5);
  EXPECT_EQ(hop["templates"]["created"].size(), 3U) << r.out;
  for (const auto& i : hop["images"]) {
    EXPECT_EQ(i["source"], "found") << i;
    EXPECT_EQ(i["id"], world->image_id(i["arch"].get<std::string>(), "1.34")) << i;
  }
  for (const char* step : { "images", "templates", "control-plane", "addons", "workers", "verify" }) {
    EXPECT_TRUE(hop["durationSeconds"].contains(step)) << step;
  }
  EXPECT_TRUE(has(r.err, "control plane: 1 of 3 machines replaced")) << r.err;
  EXPECT_TRUE(has(r.err, "control plane: 3 of 3 machines replaced")) << r.err;
  EXPECT_TRUE(has(r.err, "workers demo-md-0: 2 of 2 machines replaced")) << r.err;

  world->settle();
  expect_upgraded("v1.34.1", 5, "-v1-34");
  for (const auto& m : machines()) {
    EXPECT_EQ(before.count(m["metadata"]["name"].get<std::string>()), 0U) << "not replaced: " << m["metadata"]["name"];
  }
  // The old templates are as they were; no image was built.
  EXPECT_EQ(spec_of("infrastructure.cluster.x-k8s.io", infra_kind(), "demo-control-plane"), old_cp);
  EXPECT_EQ(spec_of("infrastructure.cluster.x-k8s.io", infra_kind(), "demo-md-0"), old_md);
  EXPECT_EQ(spec_of("bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate", "demo-md-0"), old_kct);
  EXPECT_EQ(world->image_count(), images);
  const auto copy =
    world->management().get(served(CapiWorld::management_side, "infrastructure.cluster.x-k8s.io", infra_kind()),
                            infra_kind(),
                            "ocne",
                            "demo-md-0-v1-34");
  ASSERT_TRUE(copy);
  EXPECT_EQ((*copy)["metadata"]["labels"].value("ocne.oracle.com/upgrade-target", ""), "1.34");
  const auto kcp = list("controlplane.cluster.x-k8s.io", "KubeadmControlPlane");
  ASSERT_EQ(kcp.size(), 1U);
  EXPECT_EQ(kcp[0]["status"].value("version", ""), "v1.34.1");
  const auto proxy = world->workload().get("apps/v1", "DaemonSet", "kube-system", "kube-proxy");
  ASSERT_TRUE(proxy);
  EXPECT_TRUE(has((*proxy)["spec"]["template"]["spec"]["containers"][0].value("image", ""), ":v1.34.1"));
  EXPECT_EQ(cached_state("demo", "kubernetesVersion"), "1.34");
  EXPECT_EQ(cached_state("demo", "upgrade.target"), "");

  // Again: nothing to do, nothing written; no upgrade stands unfinished.
  const int writes_before = all_writes();
  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.34" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "runs Kubernetes 1.34: nothing to upgrade")) << r.out;
  EXPECT_EQ(all_writes(), writes_before);
  r = ocne({ "cluster", "upgrade", "-C", "demo" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "no unfinished upgrade")) << r.out;
}

class CapiUpgradeChecks : public CapiUpgrade
{};

// Each refusal names its rule and writes nothing anywhere; a dry run prints
// the copies and patches and writes nothing either.
TEST_F(CapiUpgradeChecks, RefusalsAndADryRunWriteNothing)
{
  auto failing = std::make_shared<std::atomic<bool>>(false);
  start_world({ .provider = "oci",
                .machine_failure = [failing](const json&) -> std::optional<kube::InfrastructureFailure> {
                  if (*failing) {
                    return kube::InfrastructureFailure{ "LaunchInstanceFailed", "Out of host capacity." };
                  }
                  return std::nullopt;
                },
                .kubernetes_versions = { "1.33", "1.34" } });
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  world->settle();
  const auto images = world->image_count();
  const auto cloud_writes = [&] {
    int n = 0;
    for (const char* op : { "CreateImage", "CreatePreauthenticatedRequest", "PutObject", "CreateMultipartUpload" }) {
      n += world->cloud_count(op);
    }
    return n;
  };
  const int cloud_before = cloud_writes();
  const auto refused = [&](const std::vector<std::string>& args, const std::string& rule) {
    const int before = all_writes();
    const auto run = ocne(args);
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_TRUE(has(run.err, rule)) << run.err;
    EXPECT_EQ(all_writes(), before) << rule;
    EXPECT_EQ(cached_state("demo", "upgrade.target"), "") << rule;
  };
  refused({ "cluster", "upgrade", "-C", "demo", "-v", "1.31" }, "rule: no downgrades");
  refused({ "cluster", "upgrade", "-C", "demo", "-v", "1.40" }, "is not supported");

  // The dry run.
  int before = all_writes();
  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.34", "--dry-run", "-o", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(all_writes(), before);
  const auto dry = json::parse(r.out);
  EXPECT_EQ(dry["outcome"], "dry run");
  EXPECT_EQ(dry["dryRun"], true);
  ASSERT_EQ(dry["hops"].size(), 1U);
  EXPECT_EQ(dry["hops"][0]["templates"]["created"].size(), 3U) << r.out;
  ASSERT_EQ(dry["hops"][0]["patches"].size(), 2U) << r.out;
  EXPECT_TRUE(has(dry["hops"][0]["patches"][0].get<std::string>(), "\"op\":\"test\"")) << r.out;
  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.34", "--dry-run" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "create OCIMachineTemplate ocne/demo-md-0-v1-34")) << r.out;
  EXPECT_TRUE(has(r.out, "Dry run: nothing was changed")) << r.out;
  EXPECT_EQ(all_writes(), before);
  EXPECT_EQ(list("infrastructure.cluster.x-k8s.io", "OCIMachineTemplate").size(), 2U);

  // A kubelet four minors behind what the control plane would run.
  std::string name;
  for (const auto& n : world->workload().list("v1", "Node")) {
    if (!n["metadata"].value("labels", json::object()).contains("node-role.kubernetes.io/control-plane")) {
      name = n["metadata"]["name"].get<std::string>();
    }
  }
  ASSERT_FALSE(name.empty());
  const auto set_kubelet = [&](const std::string& version) {
    world->workload().apply_status({ { "apiVersion", "v1" },
                                     { "kind", "Node" },
                                     { "metadata", { { "name", name } } },
                                     { "status", { { "nodeInfo", { { "kubeletVersion", version } } } } } },
                                   "test-kubelet");
  };
  set_kubelet("v1.30.0");
  world->settle();
  refused({ "cluster", "upgrade", "-C", "demo", "-v", "1.34" }, "rule: kubelet version skew");
  set_kubelet("v1.33.5");
  world->settle();

  // A worker that cannot launch: the cluster is not healthy.
  *failing = true;
  const auto md = list("cluster.x-k8s.io", "MachineDeployment")[0];
  world->management().merge_patch(md["apiVersion"].get<std::string>(),
                                  "MachineDeployment",
                                  "ocne",
                                  md["metadata"]["name"].get<std::string>(),
                                  { { "spec", { { "replicas", 2 } } } });
  world->settle();
  refused({ "cluster", "upgrade", "-C", "demo", "-v", "1.34" }, "rule: an upgrade starts from a healthy cluster");
  EXPECT_EQ(world->image_count(), images);
  EXPECT_EQ(cloud_writes(), cloud_before);
}

// Two minors: two hops, each finished before the next; the second hop's
// copies are named after the original templates.
TEST_F(CapiUpgradeChecks, TwoMinorsAreTwoHops)
{
  start_world({ .provider = "oci", .kubernetes_versions = { "1.32", "1.33", "1.34" } });
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n");
  auto r = ocne({ "cluster", "start", "-c", file.string(), "-v", "1.32" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  world->settle();
  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.34", "-o", "json" }, {}, 100);
  ASSERT_EQ(r.exit_code, 0) << r.err << pools();
  const auto out = json::parse(r.out);
  ASSERT_EQ(out["hops"].size(), 2U) << r.out;
  EXPECT_EQ(out["hops"][0]["from"], "1.32");
  EXPECT_EQ(out["hops"][0]["to"], "1.33");
  EXPECT_EQ(out["hops"][1]["to"], "1.34");
  // The first hop's workers were done before the second hop's control plane.
  const auto workers_133 = r.err.find("Upgrading the workers of demo-md-0 to Kubernetes v1.33.5");
  const auto control_134 = r.err.find("Upgrading the control plane to Kubernetes v1.34.1");
  ASSERT_NE(workers_133, std::string::npos) << r.err;
  ASSERT_NE(control_134, std::string::npos) << r.err;
  EXPECT_LT(workers_133, control_134);
  world->settle();
  expect_upgraded("v1.34.1", 2, "-v1-34");
  std::set<std::string> names;
  for (const auto& t : list("infrastructure.cluster.x-k8s.io", "OCIMachineTemplate")) {
    names.insert(t["metadata"]["name"].get<std::string>());
  }
  EXPECT_EQ(names,
            (std::set<std::string>{ "demo-control-plane",
                                    "demo-control-plane-v1-33",
                                    "demo-control-plane-v1-34",
                                    "demo-md-0",
                                    "demo-md-0-v1-33",
                                    "demo-md-0-v1-34" }));
  EXPECT_EQ(cached_state("demo", "kubernetesVersion"), "1.34");
}

// The fake controllers are as strict as Cluster API: a template edited in
// place rolls nothing; a reference to a template that is not there creates
// no machine and says why.
TEST_F(CapiUpgradeChecks, TheTestWorldRollsOnlyOnAReferenceChangeAndNeedsTheTemplate)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  world->settle();
  std::set<std::string> before;
  for (const auto& m : machines()) {
    before.insert(m["metadata"]["name"].get<std::string>());
  }
  const auto tmpl = list("infrastructure.cluster.x-k8s.io", "OCIMachineTemplate")[0];
  world->management().merge_patch(
    tmpl["apiVersion"].get<std::string>(),
    "OCIMachineTemplate",
    "ocne",
    tmpl["metadata"]["name"].get<std::string>(),
    { { "spec", { { "template", { { "spec", { { "imageId", "ocid1.image.oc1..edited" } } } } } } } });
  world->settle();
  std::set<std::string> after;
  for (const auto& m : machines()) {
    after.insert(m["metadata"]["name"].get<std::string>());
  }
  EXPECT_EQ(after, before);

  const auto md = list("cluster.x-k8s.io", "MachineDeployment")[0];
  world->management().merge_patch(
    md["apiVersion"].get<std::string>(),
    "MachineDeployment",
    "ocne",
    md["metadata"]["name"].get<std::string>(),
    { { "spec",
        { { "template", { { "spec", { { "infrastructureRef", { { "name", "no-such-template" } } } } } } } } } });
  world->settle();
  const auto live = list("cluster.x-k8s.io", "MachineDeployment")[0];
  bool said = false;
  for (const auto& c : live["status"].value("conditions", json::array())) {
    said = said || (c.value("type", "") == "MachinesCreated" && c.value("status", "") == "False" &&
                    c.value("reason", "") == "InfrastructureTemplateCloningFailed" &&
                    has(c.value("message", ""), "no-such-template"));
  }
  EXPECT_TRUE(said) << live["status"].dump();
  EXPECT_EQ(machines().size(), before.size());
  EXPECT_GE(world->count(CapiWorld::management_side, "v1", "Event", "ocne"), 1U);
}

// A self-managed cluster upgrades itself: its Cluster API objects live in it,
// and its own control plane machines are replaced under the API ocne talks to.
TEST_F(CapiUpgradeChecks, ASelfManagedClusterUpgradesItself)
{
  start_world({ .provider = "oxide", .kubernetes_versions = { "1.33", "1.34" } });
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n", "selfManaged: true\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() }, {}, 100);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  world->settle();
  ASSERT_EQ(cached_state("demo", "capi.pivoted"), "true");
  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.34" }, {}, 100);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Upgraded cluster demo from Kubernetes 1.33 to 1.34: 2 machines replaced")) << r.out;
  world->settle();
  const auto ms = world->workload().list("cluster.x-k8s.io/v1beta2", "Machine", "ocne");
  ASSERT_EQ(ms.size(), 2U);
  for (const auto& m : ms) {
    EXPECT_EQ(m["spec"].value("version", ""), "v1.34.1");
  }
  for (const auto& n : world->workload().list("v1", "Node")) {
    EXPECT_EQ(n["status"]["nodeInfo"].value("kubeletVersion", ""), "v1.34.1");
  }
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta2", "Machine"), 0U);
  EXPECT_TRUE(nodes_ready());
}

// A new machine that cannot launch: what the provider says reaches the user
// while the upgrade waits, no old machine goes (maxUnavailable 0), and once
// the cloud recovers the next run continues the same hop.
TEST_F(CapiUpgradeChecks, AMachineThatCannotLaunchIsReportedAndTheNextRunContinues)
{
  auto failing = std::make_shared<std::atomic<bool>>(true);
  start_world({ .provider = "oci",
                .machine_failure = [failing](const json& machine) -> std::optional<kube::InfrastructureFailure> {
                  if (*failing && machine["spec"].value("version", "") == "v1.34.1") {
                    return kube::InfrastructureFailure{ "LaunchInstanceFailed", "Out of host capacity." };
                  }
                  return std::nullopt;
                },
                .kubernetes_versions = { "1.33", "1.34" } });
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  world->settle();
  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.34" }, {}, 15);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, ": LaunchInstanceFailed: Out of host capacity.")) << r.err;
  EXPECT_TRUE(has(r.err, "InfrastructureReady=False (LaunchInstanceFailed): Out of host capacity.")) << r.err;
  EXPECT_TRUE(has(r.err, "the control plane of cluster ocne/demo did not roll out to 1.34")) << r.err;
  EXPECT_EQ(cached_state("demo", "upgrade.step.templates"), "done");
  EXPECT_EQ(cached_state("demo", "upgrade.step.control-plane"), "");
  // The old control plane machine is still there, beside the surge one.
  int old = 0;
  for (const auto& m : machines()) {
    old += m["spec"].value("version", "") == "v1.33.5" ? 1 : 0;
  }
  EXPECT_EQ(old, 2);
  auto status = ocne({ "cluster", "upgrade", "-C", "demo", "-o", "json" });
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto st = json::parse(status.out);
  EXPECT_EQ(st["outcome"], "unfinished");
  EXPECT_EQ(st["unfinished"]["nextStep"], "control-plane");
  // Another target is refused until this one is done.
  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.33" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(has(r.err, "an upgrade of cluster demo to 1.34 is unfinished")) << r.err;

  *failing = false;
  world->management().merge_patch("cluster.x-k8s.io/v1beta1",
                                  "Cluster",
                                  "ocne",
                                  "demo",
                                  { { "metadata", { { "annotations", { { "test/poke", "1" } } } } } });
  r = ocne({ "cluster", "upgrade", "-C", "demo", "-v", "1.34", "-o", "json" }, {}, 100);
  ASSERT_EQ(r.exit_code, 0) << r.err << pools();
  EXPECT_TRUE(json::parse(r.out)["resumed"].get<bool>());
  EXPECT_TRUE(has(r.err, "Continuing the upgrade of cluster demo to 1.34")) << r.err;
  world->settle();
  expect_upgraded("v1.34.1", 2, "-v1-34");
}

INSTANTIATE_TEST_SUITE_P(Providers, CapiUpgrade, ::testing::Values("oci", "oxide"));

} // namespace
} // namespace ocne::test
