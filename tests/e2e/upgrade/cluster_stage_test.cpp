// `ocne cluster stage` through the binary: the fake OCK hosts answer the
// commands ocne runs on them (tests/e2e/diag/fake_nodes.hpp).

#include "tests/e2e/diag/diag_world.hpp"
#include "tests/servers/kube/controllers.hpp"

#include <gtest/gtest.h>

namespace ocne::test {
namespace {

using nlohmann::json;

const std::string k_new_commit(64, 'b');

class ClusterStage : public DiagCliTest
{
protected:
  void
  SetUp() override
  {
    DiagCliTest::SetUp();
    for (const auto& [name, cp] : std::vector<std::pair<std::string, bool>>{
           { "cp-1", true }, { "cp-2", true }, { "cp-3", true }, { "worker-1", false }, { "worker-2", false } }) {
      add_node({ .name = name, .control_plane = cp, .kubelet_version = "v1.33.5+1.el8" });
      auto& h = hosts().host(name);
      h.files["/etc/ocne/update.yaml"] =
        "registry: container-registry.oracle.com/olcne/ock-ostree\ntag: 1.33\ntransport: ostree-unverified-registry\n";
      h.modes["/etc/ocne/update.yaml"] = "0400";
      h.os_images = { { "1.34", k_new_commit } };
    }
    server().create({ { "apiVersion", "v1" },
                      { "kind", "ConfigMap" },
                      { "metadata", { { "name", "kubeadm-config" }, { "namespace", "kube-system" } } },
                      { "data",
                        { { "ClusterConfiguration",
                            "apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\nclusterName: kubernetes\nkind: "
                            "ClusterConfiguration\nkubernetesVersion: v1.33.5\n" } } } });
  }

  std::string
  kubeadm_version()
  {
    const auto cm = *server().get("v1", "ConfigMap", "kube-system", "kubeadm-config");
    const std::string text = cm["data"]["ClusterConfiguration"];
    const auto at = text.find("kubernetesVersion: ");
    return text.substr(at + 19, text.find('\n', at) - at - 19);
  }

  // The commands run on one node, in order, without the "node: " prefix.
  std::vector<std::string>
  commands_on(const std::string& node)
  {
    std::vector<std::string> out;
    for (const auto& c : hosts().commands()) {
      if (c.rfind(node + ": ", 0) == 0) {
        out.push_back(c.substr(node.size() + 2));
      }
    }
    return out;
  }
};

TEST_F(ClusterStage, WritesUpdateYamlRestartsTheServiceAndSetsKubeadmVersion)
{
  server().merge_patch("v1",
                       "Node",
                       "",
                       "worker-1",
                       { { "metadata", { { "annotations", { { "ocne.oracle.com/update-available", "true" } } } } } });
  const auto r = ocne({ "cluster", "stage", "-v", "1.34" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Node cp-1: staged\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kubeadm-config: kubernetesVersion v1.34.1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ocne node update --node all"), std::string::npos) << r.out;
  for (const char* node : { "cp-1", "cp-2", "cp-3", "worker-1", "worker-2" }) {
    auto& h = hosts().host(node);
    EXPECT_EQ(h.files["/etc/ocne/update.yaml"],
              "registry: container-registry.oracle.com/olcne/ock-ostree\ntag: 1.34\ntransport: "
              "ostree-unverified-registry\n")
      << node;
    EXPECT_EQ(h.modes["/etc/ocne/update.yaml"], "0400") << node;
    EXPECT_EQ(h.files.count("/etc/ocne/update.yaml.ocne-new"), 0U) << node;
    EXPECT_EQ(commands_on(node),
              (std::vector<std::string>{ "cat /etc/ocne/update.yaml",
                                         "tee /etc/ocne/update.yaml.ocne-new",
                                         "chmod 0400 /etc/ocne/update.yaml.ocne-new",
                                         "mv -f /etc/ocne/update.yaml.ocne-new /etc/ocne/update.yaml",
                                         "systemctl stop ocne-update.service",
                                         "systemctl start ocne-update.service" }))
      << node;
    // The restarted service found the 1.34 image and said so.
    EXPECT_EQ(h.staged_commit, k_new_commit) << node;
    EXPECT_TRUE(h.active_units.count("ocne-update.service")) << node;
    const auto n = *server().get("v1", "Node", "", node);
    EXPECT_EQ(n["metadata"]["annotations"].value("ocne.oracle.com/update-available", ""), "true") << node;
  }
  EXPECT_EQ(kubeadm_version(), "v1.34.1");
  EXPECT_TRUE(server().list("v1", "Pod", "ocne-system").empty()) << "a node pod is left";
}

TEST_F(ClusterStage, ASecondRunWritesNothing)
{
  ASSERT_EQ(ocne({ "cluster", "stage", "-v", "1.34" }).exit_code, 0);
  const auto before = hosts().commands().size();
  server().clear_requests();
  const auto r = ocne({ "cluster", "stage", "-v", "1.34" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Node worker-2: already staged\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(already set)"), std::string::npos) << r.out;
  const auto all = hosts().commands();
  for (std::size_t i = before; i < all.size(); ++i) {
    EXPECT_TRUE(all[i].ends_with(": cat /etc/ocne/update.yaml") ||
                all[i].ends_with(": systemctl is-active ocne-update.service"))
      << all[i];
  }
  for (const auto& req : server().requests()) {
    // The node pods come and go; ocne-system is only asked for (409: it exists).
    const bool node_pod = req.target.find("/namespaces/ocne-system/") != std::string::npos;
    const bool namespace_exists = req.method == "POST" && req.target == "/api/v1/namespaces" && req.status == 409;
    EXPECT_TRUE(req.method == "GET" || node_pod || namespace_exists)
      << req.method << " " << req.target << " " << req.status;
  }
}

TEST_F(ClusterStage, AStoppedServiceIsStartedOnARerun)
{
  ASSERT_EQ(ocne({ "cluster", "stage", "-v", "1.34" }).exit_code, 0);
  hosts().host("worker-1").active_units.clear();
  ASSERT_EQ(ocne({ "cluster", "stage", "-v", "1.34" }).exit_code, 0);
  EXPECT_TRUE(hosts().host("worker-1").active_units.count("ocne-update.service"));
  EXPECT_EQ(commands_on("worker-1").back(), "systemctl start ocne-update.service");
}

TEST_F(ClusterStage, RegistryAndTransportAreWrittenAndCheckedFirst)
{
  const auto r = ocne({ "cluster",
                        "stage",
                        "-v",
                        "1.34",
                        "-r",
                        "registry.example/ock-ostree",
                        "-t",
                        "ostree-unverified-image:docker://" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(hosts().host("cp-2").files["/etc/ocne/update.yaml"],
            "registry: registry.example/ock-ostree\ntag: 1.34\ntransport: ostree-unverified-image:docker://\n");

  for (const std::vector<std::string>& bad : { std::vector<std::string>{ "-t", "oci-archive" },
                                               std::vector<std::string>{ "-r", "registry.example/ock:1.34" } }) {
    const auto before = hosts().commands().size();
    server().clear_requests();
    std::vector<std::string> args = { "cluster", "stage", "-v", "1.34" };
    args.insert(args.end(), bad.begin(), bad.end());
    const auto refused = ocne(args);
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find(bad[0] == "-t" ? "--transport 'oci-archive'" : "cannot have a tag"), std::string::npos)
      << refused.err;
    EXPECT_EQ(hosts().commands().size(), before);
    EXPECT_EQ(kube::write_requests(server()), 0);
  }
}

TEST_F(ClusterStage, RefusalsWriteNothing)
{
  const std::vector<std::pair<std::string, std::string>> cases = {
    { "1.35", "not a Kubernetes version ocne knows" },
    { "1.3", "not a Kubernetes minor version such as 1.34" },
    { "1.34.1", "not a Kubernetes minor version such as 1.34" },
    { "v1.34", "not a Kubernetes minor version such as 1.34" },
    { "1.32", "cannot stage 1.32: the nodes run Kubernetes 1.33; stage 1.33 or 1.34" },
  };
  for (const auto& [version, text] : cases) {
    server().clear_requests();
    const auto r = ocne({ "cluster", "stage", "-v", version });
    EXPECT_NE(r.exit_code, 0) << version;
    EXPECT_NE(r.err.find(text), std::string::npos) << version << ": " << r.err;
    EXPECT_EQ(kube::write_requests(server()), 0) << version;
  }
  EXPECT_TRUE(hosts().commands().empty());
  // Nodes two minors apart.
  server().merge_patch(
    "v1", "Node", "", "worker-2", { { "status", { { "nodeInfo", { { "kubeletVersion", "v1.31.9" } } } } } }, "status");
  const auto skew = ocne({ "cluster", "stage", "-v", "1.34" });
  EXPECT_NE(skew.exit_code, 0);
  EXPECT_NE(skew.err.find("the nodes run Kubernetes 1.31 to 1.33, more than one minor apart"), std::string::npos)
    << skew.err;
  EXPECT_EQ(kubeadm_version(), "v1.33.5");
}

TEST_F(ClusterStage, NotReadyNodesAreSkippedAndNoneIsAnError)
{
  server().merge_patch("v1",
                       "Node",
                       "",
                       "worker-2",
                       { { "status", { { "conditions", { { { "type", "Ready" }, { "status", "False" } } } } } } },
                       "status");
  const auto r = ocne({ "cluster", "stage", "-v", "1.34" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Skipping node worker-2 because it is not ready"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("Node worker-2: not ready"), std::string::npos) << r.out;
  EXPECT_TRUE(commands_on("worker-2").empty());
  EXPECT_NE(hosts().host("worker-1").files["/etc/ocne/update.yaml"].find("tag: 1.34"), std::string::npos);

  for (const char* node : { "cp-1", "cp-2", "cp-3", "worker-1" }) {
    server().merge_patch("v1",
                         "Node",
                         "",
                         node,
                         { { "status", { { "conditions", { { { "type", "Ready" }, { "status", "False" } } } } } } },
                         "status");
  }
  const auto none = ocne({ "cluster", "stage", "-v", "1.34" });
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("Unable to stage any nodes"), std::string::npos) << none.err;
}

TEST_F(ClusterStage, ClusterApiClustersPointToClusterUpgrade)
{
  server().merge_patch("v1",
                       "Node",
                       "",
                       "cp-1",
                       { { "metadata", { { "annotations", { { "cluster.x-k8s.io/machine", "demo-cp-abcde" } } } } } });
  server().clear_requests();
  const auto r = ocne({ "cluster", "stage", "-v", "1.34" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("is managed by Cluster API: staging does not apply; run 'ocne cluster upgrade -C"),
            std::string::npos)
    << r.out;
  EXPECT_TRUE(hosts().commands().empty());
  EXPECT_EQ(kube::write_requests(server()), 0);
  EXPECT_EQ(kubeadm_version(), "v1.33.5");
}

} // namespace
} // namespace ocne::test
