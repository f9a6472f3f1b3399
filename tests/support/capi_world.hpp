#pragma once

// The Cluster API test world for end-to-end tests of
// `ocne cluster start/delete -P oci|oxide`, all on 127.0.0.1:
//
//  - a management cluster (Kubernetes test server) that plays the Deployment
//    and DaemonSet controllers, cert-manager, the endpoints controller and
//    the Cluster API controllers (play_cluster_api: infrastructure cluster,
//    Cluster, KubeadmControlPlane, MachineDeployment/MachineSet, Machines
//    with nodeRefs, deletion);
//  - a workload cluster (another Kubernetes test server) whose API the
//    "<name>-kubeconfig" Secret points at: once a Cluster is provisioned it
//    gets what kubeadm installs some time after its first Node (ConfigMap and DaemonSet kube-system/kube-proxy,
//    Deployment kube-system/coredns), a Node per Machine, NotReady
//    (NetworkPluginNotReady) until DaemonSet kube-flannel/kube-flannel-ds is
//    rolled out and the provider's cloud controller manager runs, and the
//    same controllers as the management cluster so a self-managed cluster can
//    install the stack and take over its own Cluster API objects;
//  - a release server shaped like GitHub serving the provider's Cluster API
//    stack from ../shared/components (OCNE_GITHUB_URL, HTTPS with its CA in
//    OCNE_COMPONENTS_CA_BUNDLE);
//  - the OCI test server (tenancy, compartment "projects/k8s", images "ock"
//    tagged ocne/kubernetes=1.33 for arm64 and amd64, an API key in
//    ~/.oci/config) or the Oxide test server (project "k8s", image
//    "ocne-1-33", OXIDE_HOST and OXIDE_TOKEN).
//
//   CapiWorld world(dir(), {.provider = "oxide"});      // needs ../shared: skip first
//   const auto file = world.write_cluster_file("demo");
//   auto r = run_ocne({"cluster", "start", "-c", file.string()}, world.home(), world.env());
//   EXPECT_EQ(world.count(CapiWorld::workload_side, "v1", "Node"), 2);

#include "tests/servers/kube/capi_webhook.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/kube_server.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test {

class OxideServer;
class TestHttpServer;
struct ReleaseRequests;
namespace oci {
class OciTestServer;
}

struct CapiWorldOptions
{
  std::string provider = "oci"; // "oci" or "oxide"
  // How long each fake controller takes to react, and how long a Cluster
  // takes to go once deleted.
  std::chrono::milliseconds delay{ 100 };
  std::chrono::milliseconds deletion_delay{ 300 };
  // The infrastructure controller fails from the start (see fail_infrastructure).
  std::optional<kube::InfrastructureFailure> infrastructure_failure;
  // "namespace/name" of workload Deployments and DaemonSets whose pods never
  // start (ImagePullBackOff).
  std::vector<std::string> workload_never_available;
  // Real timing (tests/servers/kube/capi_play.hpp): Machines boot this long,
  // control plane machines one at a time and workers once the control plane
  // is initialized; kube-proxy and CoreDNS appear this long after the first Node.
  std::chrono::milliseconds machine_boot{ 300 };
  std::chrono::milliseconds kubeadm_addons_after{ 1000 };
  // Machines whose infrastructure fails (see kube::ClusterApiOptions).
  std::function<std::optional<kube::InfrastructureFailure>(const nlohmann::json& machine)> machine_failure;
  // The Kubernetes minors the cloud has boot images for (OCI: tagged
  // ocne/kubernetes=<minor> for arm64 and amd64; Oxide: "ocne-1-33").
  std::vector<std::string> kubernetes_versions{ "1.33" };
};

class CapiWorld
{
public:
  // Starts every server; files go below folder (a test's temp dir), HOME is
  // folder/home. Needs ../shared (the CRDs, release files, Oxide spec):
  // callers skip first. Throws std::runtime_error on failure.
  explicit CapiWorld(std::filesystem::path folder, CapiWorldOptions options = {});
  ~CapiWorld();
  CapiWorld(const CapiWorld&) = delete;
  CapiWorld& operator=(const CapiWorld&) = delete;

  const std::string& provider() const;

  kube::KubeTestServer& management();
  kube::KubeTestServer& workload();
  oci::OciTestServer& oci();  // throws unless provider is oci
  OxideServer& oxide();       // throws unless provider is oxide
  ReleaseRequests& release(); // paths the release server was asked for
  TestHttpServer& release_server();

  std::filesystem::path home() const;
  std::filesystem::path management_kubeconfig() const;
  std::filesystem::path workload_kubeconfig() const;

  // The environment for the ocne binary (give it to run_ocne with home()):
  // HOME, OCNE_HOME, KUBECONFIG (management), OCNE_GITHUB_URL,
  // OCNE_COMPONENTS_CA_BUNDLE, and OCNE_OCI_ENDPOINT (with ~/.oci/config and
  // its key under HOME) or OXIDE_HOST and OXIDE_TOKEN.
  std::map<std::string, std::string> env() const;

  // A cluster file (home()/../<name>.yaml) naming the cluster, the provider,
  // and its compartment or project, that `ocne cluster template` renders
  // with no placeholder against this world. extra_yaml is appended as is
  // (top-level keys, e.g. "workerNodes: 2\n"; the provider block is
  // "providers:\n  <provider>:\n" + provider_yaml, indented by 4).
  std::filesystem::path write_cluster_file(const std::string& name,
                                           const std::string& extra_yaml = "",
                                           const std::string& provider_yaml = "") const;

  // From now on the infrastructure controller reports this failure (nullopt:
  // it recovers): Ready=False with reason and message on the OCICluster /
  // OxideCluster, a Warning Event on it, the Cluster's InfrastructureReady
  // condition False, and the Cluster does not provision.
  void fail_infrastructure(std::optional<kube::InfrastructureFailure> failure);

  // What the cloud holds.
  std::string compartment_path() const; // "projects/k8s"
  std::string compartment_id() const;   // its OCID (oci)
  std::string oxide_project() const;    // "k8s"
  std::string image_id(const std::string& arch = "amd64") const;
  // The image of another minor (kubernetes_versions); "" when it has none.
  std::string image_id(const std::string& arch, const std::string& minor) const;
  std::string kubernetes_version() const; // "1.33"

  // Counting for assertions.
  enum Side { management_side, workload_side };
  std::size_t count(Side side,
                    const std::string& api_version,
                    const std::string& kind,
                    const std::string& ns = "",
                    const std::string& label_selector = "") const;
  std::size_t image_count() const; // images in the OCI or Oxide server
  // Each cluster's webhook pods (capi_webhook.hpp): reviews answered.
  kube::CapiWebhookServer& webhooks(Side side);
  std::vector<kube::RequestRecord> requests(Side side) const;
  // Requests to the OCI server by operation ("ListImages") or to the Oxide
  // server by operationId ("image_list").
  int cloud_count(const std::string& operation) const;
  // Release files fetched (302s and bytes both count).
  std::size_t release_request_count() const;

  // Waits until both Kubernetes servers' hooks have run.
  void settle(std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace ocne::test
