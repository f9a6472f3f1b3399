// The Cluster API test world (tests/support/capi_world.hpp) checked through
// pkg/ alone: the stack installs on the management cluster, a Cluster from
// `ocne cluster template` provisions with its Machines and the workload's
// Nodes, the Nodes wait for flannel and the cloud controller manager, the
// infrastructure's failure shows, and deletion finishes.

#include "pkg/addons/ccm.hpp"
#include "pkg/addons/flannel.hpp"
#include "pkg/addons/install.hpp"
#include "pkg/addons/kube_proxy.hpp"
#include "pkg/clusterctl/installer.hpp"
#include "pkg/core/env.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "pkg/k8s/yaml.hpp"
#include "providers/oci/credentials.hpp"
#include "tests/support/capi_world.hpp"
#include "tests/support/components_release.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace ocne::test {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Polls until pred holds (5 s at most).
template<typename Pred>
bool
eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5))
{
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

bool
condition_is(const json& obj, const std::string& type, const std::string& status)
{
  for (const auto& c : obj.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == type) {
      return c.value("status", "") == status;
    }
  }
  return false;
}

class CapiWorldTest : public TempDirTest
{
protected:
  void
  start(CapiWorldOptions options)
  {
    world = std::make_unique<CapiWorld>(dir(), std::move(options));
    management = client_for(world->management_kubeconfig());
    workload = client_for(world->workload_kubeconfig());
  }

  static std::unique_ptr<k8s::Client>
  client_for(const std::filesystem::path& kubeconfig)
  {
    auto access = k8s::load_kubeconfig({ kubeconfig });
    EXPECT_TRUE(access) << access.error().message();
    k8s::ClientOptions co;
    co.retry.initial_backoff = std::chrono::milliseconds(10);
    return std::make_unique<k8s::Client>(std::move(*access), co);
  }

  Environment
  env() const
  {
    const auto e = world->env();
    return Environment::from_map(std::map<std::string, std::string, std::less<>>(e.begin(), e.end()));
  }

  // The provider's stack on the management cluster, from the release server.
  void
  install_stack()
  {
    clusterctl::SourceSettings s;
    s.env = env();
    s.cache_dir = world->home() / ".ocne/providers";
    s.max_attempts = 3;
    clusterctl::InstallOptions o;
    o.env = env();
    o.timeout = std::chrono::seconds(30);
    o.interval = std::chrono::milliseconds(50);
    if (world->provider() == "oci") {
      o.values = providers::oci::credential_values("ocid1.tenancy.oc1..t",
                                                   "ocid1.user.oc1..u",
                                                   "aa:bb",
                                                   "us-ashburn-1",
                                                   "-----BEGIN PRIVATE KEY-----\nZmFrZQ==\n-----END PRIVATE KEY-----\n",
                                                   "");
    }
    clusterctl::ComponentSource source(s, null_progress());
    auto report = clusterctl::install_stack(*management, test::stack_of(world->provider()), source, o, null_progress());
    ASSERT_TRUE(report) << report.error().message();
  }

  // `ocne cluster template` against the world: no placeholder left.
  std::vector<json>
  template_objects(const std::string& name, const std::string& extra = "")
  {
    const auto file = world->write_cluster_file(name, extra);
    const auto r = run_ocne({ "cluster", "template", "-c", file.string() }, world->home(), world->env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("placeholder"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("${"), std::string::npos) << r.out;
    auto objects = k8s::parse_yaml_stream(r.out, "template");
    EXPECT_TRUE(objects) << objects.error().message();
    return objects ? *objects : std::vector<json>{};
  }

  void
  apply(const std::vector<json>& objects)
  {
    ASSERT_FALSE(objects.empty());
    const std::string ns = objects[0]["metadata"].value("namespace", "default");
    if (!world->management().get("v1", "Namespace", "", ns)) {
      world->management().create(
        { { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", ns } } } });
    }
    auto applied = k8s::apply_objects(*management, objects, {}, {}, null_progress());
    ASSERT_TRUE(applied) << applied.error().message();
  }

  std::unique_ptr<CapiWorld> world;
  std::unique_ptr<k8s::Client> management;
  std::unique_ptr<k8s::Client> workload;
};

TEST_F(CapiWorldTest, OciClusterProvisionsNodesWaitForAddonsAndDeletionFinishes)
{
  OCNE_REQUIRE_SHARED();
  start({ .provider = "oci" });
  const auto objects = template_objects("demo", "workerNodes: 2\n");
  // The images and compartment the world holds are in the template.
  const std::string text = json(objects).dump();
  EXPECT_NE(text.find(world->compartment_id()), std::string::npos);
  EXPECT_NE(text.find(world->image_id("amd64")), std::string::npos);
  EXPECT_GT(world->cloud_count("ListImages"), 0);

  install_stack();
  EXPECT_GT(world->release_request_count(), 0u);
  apply(objects);
  const std::string ns = objects[0]["metadata"].value("namespace", "");
  auto& m = world->management();

  // Provisioned, with the kubeconfig of the workload server. The controller writes the phase and then the
  // Secret, as Cluster API's do, so both are awaited.
  ASSERT_TRUE(eventually([&] {
    const auto c = m.get("cluster.x-k8s.io/v1beta1", "Cluster", ns, "demo");
    return c && c->value("status", json::object()).value("phase", "") == "Provisioned" &&
           m.get("v1", "Secret", ns, "demo-kubeconfig").has_value();
  }));
  const auto secret = m.get("v1", "Secret", ns, "demo-kubeconfig");
  ASSERT_TRUE(secret);
  EXPECT_EQ((*secret)["metadata"]["labels"].value("cluster.x-k8s.io/cluster-name", ""), "demo");
  const auto kubeconfig = k8s::base64_decode((*secret)["data"].value("value", ""));
  ASSERT_TRUE(kubeconfig);
  EXPECT_NE(kubeconfig->find(world->workload().url()), std::string::npos);

  // CAPOCI's network ids: the VCN and the service-lb subnet.
  const auto oci_cluster = m.get("infrastructure.cluster.x-k8s.io/v1beta2", "OCICluster", ns, "demo");
  ASSERT_TRUE(oci_cluster);
  const json& vcn = (*oci_cluster)["spec"]["networkSpec"]["vcn"];
  EXPECT_EQ(vcn.value("id", "").rfind("ocid1.vcn.", 0), 0u);
  int service_lb = 0;
  for (const auto& s : vcn["subnets"]) {
    service_lb += s.value("role", "") == "service-lb" && !s.value("id", "").empty() ? 1 : 0;
  }
  EXPECT_GE(service_lb, 1);
  EXPECT_TRUE((*oci_cluster)["spec"]["controlPlaneEndpoint"].contains("host"));

  // One control plane Machine and two workers, each with its Node.
  ASSERT_TRUE(eventually([&] {
    const auto machines = m.list("cluster.x-k8s.io/v1beta1", "Machine", ns, "cluster.x-k8s.io/cluster-name=demo");
    int with_node = 0;
    for (const auto& machine : machines) {
      with_node += machine.contains("status") && machine["status"].contains("nodeRef") ? 1 : 0;
    }
    return machines.size() == 3 && with_node == 3;
  }));
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Node"), 3u);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "MachineSet", ns), 1u);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Node", "", "node-role.kubernetes.io/control-plane"), 1u);

  // kubeadm's pieces, then nodes NotReady until flannel and the CCM run.
  ASSERT_TRUE(
    eventually([&] { return world->workload().get("apps/v1", "Deployment", "kube-system", "coredns").has_value(); }));
  auto mode = addons::set_kube_proxy_mode(*workload, "ipvs", k8s::WaitOptions{}, null_progress());
  ASSERT_TRUE(mode) << mode.error().message();
  for (const auto& node : world->workload().list("v1", "Node")) {
    EXPECT_TRUE(condition_is(node, "Ready", "False")) << node.dump();
  }
  auto flannel = addons::render_flannel({ .pod_cidrs = { "10.244.0.0/16" }, .interfaces = {} }, env());
  ASSERT_TRUE(flannel) << flannel.error().message();
  addons::InstallOptions quick{ .timeout = std::chrono::milliseconds(1500), .interval = std::chrono::milliseconds(50) };
  auto alone = addons::install_addons(*workload, { *flannel }, quick, null_progress());
  EXPECT_FALSE(alone) << "nodes were Ready with flannel alone";

  addons::OciCcmOptions o;
  o.region = "us-ashburn-1";
  o.tenancy = "ocid1.tenancy.oc1..t";
  o.user = "ocid1.user.oc1..u";
  o.fingerprint = "aa:bb";
  o.key = Secret("-----BEGIN PRIVATE KEY-----\nZmFrZQ==\n-----END PRIVATE KEY-----\n");
  o.compartment = world->compartment_id();
  o.vcn = vcn.value("id", "");
  o.subnet1 = o.subnet2 = vcn["subnets"][1].value("id", "");
  auto ccm = addons::render_oci_ccm(o, env());
  ASSERT_TRUE(ccm) << ccm.error().message();
  quick.timeout = std::chrono::seconds(10);
  auto installed = addons::install_addons(*workload, { *flannel, *ccm }, quick, null_progress());
  ASSERT_TRUE(installed) << installed.error().message();
  for (const auto& node : world->workload().list("v1", "Node")) {
    EXPECT_TRUE(condition_is(node, "Ready", "True")) << node.dump();
  }

  // Deleting the Cluster takes a moment (its finalizer), then everything of it is gone.
  world->management().remove("cluster.x-k8s.io/v1beta1", "Cluster", ns, "demo");
  if (const auto deleting = m.get("cluster.x-k8s.io/v1beta1", "Cluster", ns, "demo")) {
    EXPECT_TRUE((*deleting)["metadata"].contains("deletionTimestamp")) << deleting->dump();
  }
  ASSERT_TRUE(eventually([&] { return !m.get("cluster.x-k8s.io/v1beta1", "Cluster", ns, "demo"); }));
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Machine", ns), 0u);
  EXPECT_EQ(world->count(CapiWorld::management_side, "infrastructure.cluster.x-k8s.io/v1beta2", "OCICluster", ns), 0u);
  EXPECT_FALSE(m.get("v1", "Secret", ns, "demo-kubeconfig"));
}

TEST_F(CapiWorldTest, OxideInfrastructureFailureShowsThenTheClusterRecovers)
{
  OCNE_REQUIRE_SHARED();
  start({ .provider = "oxide",
          .infrastructure_failure =
            kube::InfrastructureFailure{ "FloatingIPCreateFailed", "ip pool 'default' is exhausted" } });
  const auto objects = template_objects("lab", "workerNodes: 1\n");
  EXPECT_NE(json(objects).dump().find(world->image_id()), std::string::npos);
  install_stack();
  apply(objects);
  const std::string ns = objects[0]["metadata"].value("namespace", "");
  auto& m = world->management();

  ASSERT_TRUE(eventually([&] {
    const auto c = m.get("infrastructure.cluster.x-k8s.io/v1alpha1", "OxideCluster", ns, "lab");
    return c && condition_is(*c, "Ready", "False");
  }));
  const auto infra = m.get("infrastructure.cluster.x-k8s.io/v1alpha1", "OxideCluster", ns, "lab");
  EXPECT_NE(infra->dump().find("ip pool 'default' is exhausted"), std::string::npos);
  k8s::ListOptions events;
  events.namespace_ = ns;
  events.field_selector = "type=Warning";
  auto warnings = management->list({ "", "v1", "Event" }, events);
  ASSERT_TRUE(warnings) << warnings.error().message();
  ASSERT_EQ(warnings->items.size(), 1u);
  EXPECT_EQ(warnings->items[0]["involvedObject"].value("kind", ""), "OxideCluster");
  EXPECT_EQ(warnings->items[0].value("reason", ""), "FloatingIPCreateFailed");
  // The Cluster says so too (written after the OxideCluster), and stays
  // unprovisioned while the failure lasts.
  ASSERT_TRUE(eventually([&] {
    const auto c = m.get("cluster.x-k8s.io/v1beta2", "Cluster", ns, "lab");
    return c && condition_is(*c, "InfrastructureReady", "False");
  }));
  world->settle();
  const auto cluster = m.get("cluster.x-k8s.io/v1beta2", "Cluster", ns, "lab");
  ASSERT_TRUE(cluster);
  EXPECT_NE(cluster->value("status", json::object()).value("phase", ""), "Provisioned");
  EXPECT_TRUE(condition_is(*cluster, "InfrastructureReady", "False"));
  EXPECT_FALSE(m.get("v1", "Secret", ns, "lab-kubeconfig"));
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Node"), 0u);

  // The cloud recovers: the next reconcile provisions it; the Oxide CCM is
  // a Deployment the nodes wait for.
  world->fail_infrastructure(std::nullopt);
  m.merge_patch(
    "cluster.x-k8s.io/v1beta2", "Cluster", ns, "lab", { { "metadata", { { "annotations", { { "retry", "1" } } } } } });
  ASSERT_TRUE(eventually([&] {
    const auto c = m.get("cluster.x-k8s.io/v1beta2", "Cluster", ns, "lab");
    return c && c->value("status", json::object()).value("phase", "") == "Provisioned" &&
           m.get("v1", "Secret", ns, "lab-kubeconfig");
  }));
  ASSERT_TRUE(eventually([&] { return world->count(CapiWorld::workload_side, "v1", "Node") == 2u; }))
    << world->count(CapiWorld::workload_side, "v1", "Node") << " nodes; "
    << json(m.list("cluster.x-k8s.io/v1beta2", "MachineDeployment", ns)).dump();
  auto flannel = addons::render_flannel({ .pod_cidrs = { "10.244.0.0/16" }, .interfaces = {} }, env());
  auto ccm =
    addons::render_oxide_ccm({ .host = world->env().at("OXIDE_HOST"), .token = Secret("t"), .project = "k8s" }, env());
  ASSERT_TRUE(flannel && ccm);
  addons::InstallOptions quick{ .timeout = std::chrono::seconds(10), .interval = std::chrono::milliseconds(50) };
  auto installed = addons::install_addons(*workload, { *flannel, *ccm }, quick, null_progress());
  ASSERT_TRUE(installed) << installed.error().message();

  m.remove("cluster.x-k8s.io/v1beta2", "Cluster", ns, "lab");
  ASSERT_TRUE(eventually([&] { return !m.get("cluster.x-k8s.io/v1beta2", "Cluster", ns, "lab"); }));
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Node"), 0u);
}

TEST_F(CapiWorldTest, TheWebhooksAnswerConvertAndAWebhookThatStopsAnsweringFailsTheWrite)
{
  OCNE_REQUIRE_SHARED();
  start({ .provider = "oxide" });
  const auto objects = template_objects("hooked");
  install_stack();
  apply(objects);
  const std::string ns = objects[0]["metadata"].value("namespace", "");
  world->settle();
  auto& hooks = world->webhooks(CapiWorld::management_side);
  EXPECT_GT(hooks.admission_reviews(), 0) << "the Cluster API admission webhooks were called";

  // Upstream 1.13 stores Cluster at v1beta2; a v1beta1 read goes through its
  // conversion webhook, which names the OxideCluster's contract version.
  const int conversions = hooks.conversion_reviews();
  auto v1beta1 = management->get({ "cluster.x-k8s.io/v1beta1", "Cluster", ns, "hooked" });
  ASSERT_TRUE(v1beta1) << v1beta1.error().message();
  EXPECT_GT(hooks.conversion_reviews(), conversions);
  EXPECT_EQ((*v1beta1)["spec"]["infrastructureRef"].value("apiVersion", ""),
            "infrastructure.cluster.x-k8s.io/v1alpha1");

  // The webhook pods stop answering: reads at the storage version still
  // work, v1beta1 reads and Cluster writes fail as kube-apiserver fails them.
  world->management().route_service("capi-system", "capi-webhook-service", 443, "");
  EXPECT_TRUE(management->get({ "cluster.x-k8s.io/v1beta2", "Cluster", ns, "hooked" }));
  auto refused = management->get({ "cluster.x-k8s.io/v1beta1", "Cluster", ns, "hooked" });
  ASSERT_FALSE(refused);
  EXPECT_NE(
    refused.error().message().find("conversion webhook for cluster.x-k8s.io/v1beta2, Kind=Cluster failed: Post "
                                   "\"https://capi-webhook-service.capi-system.svc:443/convert?timeout=30s\": dial tcp "
                                   "capi-webhook-service.capi-system.svc:443: connect: connection refused"),
    std::string::npos)
    << refused.error().message();
  json cluster;
  for (const auto& o : objects) {
    if (o.value("kind", "") == "Cluster") {
      cluster = o;
    }
  }
  ASSERT_TRUE(cluster.is_object());
  cluster["metadata"]["labels"]["extra"] = "1";
  auto written = management->apply(cluster);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message().find("failed calling webhook \"default.cluster.cluster.x-k8s.io\""),
            std::string::npos)
    << written.error().message();
}

} // namespace
} // namespace ocne::test
