// `cluster start -P oci|oxide` in a world that keeps real Cluster API and
// kubeadm timing: control plane machines come one at a time, workers only
// once the control plane is initialized, every machine takes a while to boot,
// kubeadm's kube-proxy and CoreDNS arrive seconds after the first Node, and a
// machine whose instance cannot launch says so in its conditions and events.

#include "tests/e2e/capi/capi_cli.hpp"

#include <memory>
#include <mutex>
#include <set>

namespace ocne::test {
namespace {

using json = nlohmann::json;

class CapiRealTiming : public CapiCliTest
{
protected:
  // The version the management cluster serves a kind at.
  std::string
  served(const std::string& group, const std::string& kind)
  {
    for (const char* v : { "v1beta2", "v1beta1", "v1alpha1" }) {
      if (world->count(CapiWorld::management_side, group + "/" + v, kind, "ocne") > 0) {
        return group + "/" + v;
      }
    }
    return group + "/none";
  }
};

TEST_F(CapiRealTiming, TheFirstStartSucceedsInOneRunThoughKubeProxyComesLateAndMachinesOneByOne)
{
  start_world({ .provider = "oci",
                .machine_boot = std::chrono::milliseconds(800),
                .kubeadm_addons_after = std::chrono::milliseconds(3000) });
  const auto file = world->write_cluster_file("demo", "controlPlaneNodes: 3\nworkerNodes: 2\n");
  const auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "Waiting for kubeadm to install kube-proxy")) << r.err;
  EXPECT_TRUE(has(r.err, "ok (5 nodes Ready)")) << r.err;
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Node"), 5U);
  EXPECT_TRUE(nodes_ready());
  // kubeadm's empty mode is iptables already: kube-proxy is left as kubeadm wrote it.
  for (const auto& q : world->requests(CapiWorld::workload_side)) {
    if (q.method != "GET") {
      EXPECT_FALSE(has(q.target, "/configmaps/kube-proxy")) << q.method << " " << q.target;
      EXPECT_FALSE(has(q.target, "/daemonsets/kube-proxy")) << q.method << " " << q.target;
    }
  }
  // Nothing it reported while the machines booted was a failure.
  EXPECT_FALSE(has(r.err, "WaitingForInfrastructure")) << r.err;
}

TEST_F(CapiRealTiming, ControlPlaneMachinesComeOneAtATimeAndWorkersJoinAfterIt)
{
  start_world({ .provider = "oxide" });
  // Every change to a Machine, in the order the management cluster made them.
  struct Seen
  {
    std::string name;
    bool control_plane = false;
    bool has_node = false;
  };
  auto seen = std::make_shared<std::vector<Seen>>();
  auto mutex = std::make_shared<std::mutex>();
  world->management().on({ .group = "cluster.x-k8s.io", .kind = "Machine" },
                         [seen, mutex](kube::KubeTestServer&, const kube::ObjectEvent& e) {
                           const auto& m = *e.object;
                           const std::lock_guard lock(*mutex);
                           seen->push_back(
                             { m["metadata"]["name"].get<std::string>(),
                               m["metadata"].value("labels", json::object()).contains("cluster.x-k8s.io/control-plane"),
                               m.value("status", json::object()).contains("nodeRef") });
                         });
  const auto file = world->write_cluster_file("demo", "controlPlaneNodes: 3\nworkerNodes: 1\n");
  const auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  world->settle();
  const std::string api = "cluster.x-k8s.io/v1beta2";
  {
    const std::lock_guard lock(*mutex);
    std::set<std::string> created;
    std::set<std::string> control_plane;
    std::set<std::string> with_node;
    std::string first_cp_node;
    for (const auto& s : *seen) {
      if (created.insert(s.name).second && s.control_plane) {
        // A new control plane machine: every earlier one has its node.
        for (const auto& earlier : control_plane) {
          EXPECT_TRUE(with_node.count(earlier) > 0) << s.name << " created before " << earlier << " had a node";
        }
        control_plane.insert(s.name);
      }
      if (s.has_node && with_node.insert(s.name).second) {
        if (s.control_plane && first_cp_node.empty()) {
          first_cp_node = s.name;
        }
        // A worker joins only once the control plane is initialized.
        EXPECT_FALSE(!s.control_plane && first_cp_node.empty()) << s.name << " joined before the control plane";
      }
    }
    EXPECT_EQ(created.size(), 4U);
    EXPECT_EQ(control_plane.size(), 3U);
    EXPECT_EQ(with_node.size(), 4U);
  }
  // Each machine's infrastructure machine and KubeadmConfig are owned by it,
  // the templates by the Cluster, the kubeconfig Secret by the control plane.
  const auto machines = world->management().list(api, "Machine", "ocne");
  ASSERT_EQ(machines.size(), 4U);
  for (const auto& m : machines) {
    const auto name = m["metadata"]["name"].get<std::string>();
    for (const auto& [group, kind] :
         { std::pair<std::string, std::string>{ "infrastructure.cluster.x-k8s.io", "OxideMachine" },
           { "bootstrap.cluster.x-k8s.io", "KubeadmConfig" } }) {
      const auto owned = world->management().get(served(group, kind), kind, "ocne", name);
      ASSERT_TRUE(owned) << kind << " " << name;
      EXPECT_EQ((*owned)["metadata"]["ownerReferences"][0]["uid"], m["metadata"]["uid"]) << kind << " " << name;
    }
  }
  const auto secret = world->management().get("v1", "Secret", "ocne", "demo-kubeconfig");
  ASSERT_TRUE(secret);
  EXPECT_EQ((*secret)["metadata"]["ownerReferences"][0]["kind"], "KubeadmControlPlane");
  for (const auto& [group, kind] :
       { std::pair<std::string, std::string>{ "infrastructure.cluster.x-k8s.io", "OxideMachineTemplate" },
         { "bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate" } }) {
    const auto templates = world->management().list(served(group, kind), kind, "ocne");
    ASSERT_FALSE(templates.empty()) << kind;
    for (const auto& t : templates) {
      bool by_cluster = false;
      for (const auto& o : t["metadata"].value("ownerReferences", json::array())) {
        by_cluster = by_cluster || o.value("kind", "") == "Cluster";
      }
      EXPECT_TRUE(by_cluster) << t.dump();
    }
  }
}

TEST_F(CapiRealTiming, AMachineWhoseInstanceCannotLaunchIsNamedWithWhatTheProviderSaid)
{
  start_world(
    { .provider = "oci", .machine_failure = [](const json& machine) -> std::optional<kube::InfrastructureFailure> {
       const auto labels = machine["metadata"].value("labels", json::object());
       if (labels.contains("cluster.x-k8s.io/deployment-name")) {
         return kube::InfrastructureFailure{ "LaunchInstanceFailed", "Out of host capacity." };
       }
       return std::nullopt;
     } });
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n");
  const auto r = ocne({ "cluster", "start", "-c", file.string() }, {}, 20);
  ASSERT_NE(r.exit_code, 0) << r.err;
  const auto workers =
    world->management().list("cluster.x-k8s.io/v1beta1", "Machine", "ocne", "cluster.x-k8s.io/deployment-name");
  ASSERT_EQ(workers.size(), 1U);
  const auto name = workers[0]["metadata"]["name"].get<std::string>();
  // While it waits, what the controllers say; at the end, which machine is missing and why.
  EXPECT_TRUE(has(r.err, "Event on Machine ocne/" + name + ": LaunchInstanceFailed: Out of host capacity.")) << r.err;
  EXPECT_TRUE(has(r.err,
                  "Machine ocne/" + name + ": phase Provisioning, no node yet; Machine ocne/" + name +
                    ": InfrastructureReady=False (LaunchInstanceFailed): Out of host capacity."))
    << r.err;
  EXPECT_TRUE(has(r.err, "1 of 2 nodes Ready")) << r.err;
  EXPECT_EQ(cached_state("demo", "capi.step.nodes"), "");
}

} // namespace
} // namespace ocne::test
