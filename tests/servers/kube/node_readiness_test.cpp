// The fake kubelet's Ready condition (controllers.hpp play_node_readiness):
// nodes stay NotReady until the CNI and the cloud controller manager run,
// and a node that does not know its cloud takes either provider's CCM.

#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/kube_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::test::kube {
namespace {

using nlohmann::json;

const char* const k_flannel = "kube-flannel/kube-flannel-ds";

json
node_ready_status(KubeTestServer& s)
{
  s.wait_idle();
  const auto node = s.get("v1", "Node", "", "n1");
  EXPECT_TRUE(node);
  for (const auto& c : (*node)["status"].value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") {
      return c.value("status", "");
    }
  }
  return "";
}

// Creates an apps/v1 workload ("namespace/name") and gives it status.
void
workload_with_status(KubeTestServer& s, const std::string& kind, const std::string& key, json status)
{
  const auto slash = key.find('/');
  const json meta = { { "name", key.substr(slash + 1) }, { "namespace", key.substr(0, slash) } };
  const json labels = { { "app", key.substr(slash + 1) } };
  s.create({ { "apiVersion", "apps/v1" },
             { "kind", kind },
             { "metadata", meta },
             { "spec",
               { { "selector", { { "matchLabels", labels } } },
                 { "template",
                   { { "metadata", { { "labels", labels } } },
                     { "spec", { { "containers", { { { "name", "c" }, { "image", "c" } } } } } } } } } } });
  s.apply_status(
    { { "apiVersion", "apps/v1" }, { "kind", kind }, { "metadata", meta }, { "status", std::move(status) } }, "test");
}

void
rolled_out_daemonset(KubeTestServer& s, const std::string& key)
{
  workload_with_status(s,
                       "DaemonSet",
                       key,
                       { { "desiredNumberScheduled", 1 },
                         { "currentNumberScheduled", 1 },
                         { "numberMisscheduled", 0 },
                         { "numberReady", 1 },
                         { "numberAvailable", 1 },
                         { "observedGeneration", 1 } });
}

void
available_deployment(KubeTestServer& s, const std::string& key)
{
  workload_with_status(
    s,
    "Deployment",
    key,
    { { "conditions",
        { { { "type", "Available" }, { "status", "True" }, { "reason", "MinimumReplicasAvailable" } } } } });
}

class NodeReadinessTest : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    for (auto* s : { &oci_node, &oxide_node }) {
      s->start();
      s->create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "kube-flannel" } } } });
      s->create({ { "apiVersion", "v1" }, { "kind", "Node" }, { "metadata", { { "name", "n1" } } } });
      NodeReadinessOptions o;
      o.daemonsets = { k_flannel };
      o.any_of = { "daemonset:kube-system/oci-cloud-controller-manager",
                   "deployment:kube-system/oxide-cloud-controller-manager" };
      play_node_readiness(*s, o);
    }
  }

  KubeTestServer oci_node;
  KubeTestServer oxide_node;
};

TEST_F(NodeReadinessTest, EitherCloudControllerManagerWithTheCniMakesTheNodeReady)
{
  for (auto* s : { &oci_node, &oxide_node }) {
    EXPECT_EQ(node_ready_status(*s), "False");
    rolled_out_daemonset(*s, k_flannel);
    EXPECT_EQ(node_ready_status(*s), "False") << "the CNI alone is not enough on a cloud";
  }
  rolled_out_daemonset(oci_node, "kube-system/oci-cloud-controller-manager");
  EXPECT_EQ(node_ready_status(oci_node), "True");
  // Another DaemonSet of that namespace is not a cloud controller manager.
  rolled_out_daemonset(oxide_node, "kube-system/kube-proxy");
  EXPECT_EQ(node_ready_status(oxide_node), "False");
  available_deployment(oxide_node, "kube-system/oxide-cloud-controller-manager");
  EXPECT_EQ(node_ready_status(oxide_node), "True");
}

} // namespace
} // namespace ocne::test::kube
