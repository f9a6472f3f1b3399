#include "tests/servers/kube/capi_play.hpp"

#include <nlohmann/json.hpp>

namespace ocne::test::kube {

namespace {

using json = nlohmann::json;

// What kubeadm installs into a new cluster, as kubeadm writes it.
void
kubeadm_addons(KubeTestServer& s)
{
  if (!s.get("v1", "ConfigMap", "kube-system", "kube-proxy")) {
    const std::string config = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"
                               "bindAddress: 0.0.0.0\n"
                               "clientConnection:\n"
                               "  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n"
                               "clusterCIDR: 10.244.0.0/16\n"
                               "kind: KubeProxyConfiguration\n"
                               "mode: \"\"\n";
    const std::string kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
                                   "    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n"
                                   "    server: https://203.0.113.10:6443\n  name: default\n";
    s.create(
      { { "apiVersion", "v1" },
        { "kind", "ConfigMap" },
        { "metadata",
          { { "name", "kube-proxy" }, { "namespace", "kube-system" }, { "labels", { { "app", "kube-proxy" } } } } },
        { "data", { { "config.conf", config }, { "kubeconfig.conf", kubeconfig } } } });
  }
  const auto workload =
    [](const std::string& kind, const std::string& name, const std::string& app, const std::string& image) {
      json w = { { "apiVersion", "apps/v1" },
                 { "kind", kind },
                 { "metadata",
                   { { "name", name }, { "namespace", "kube-system" }, { "labels", { { "k8s-app", app } } } } },
                 { "spec",
                   { { "selector", { { "matchLabels", { { "k8s-app", app } } } } },
                     { "template",
                       { { "metadata", { { "labels", { { "k8s-app", app } } } } },
                         { "spec", { { "containers", { { { "name", name }, { "image", image } } } } } } } } } } };
      if (kind == "Deployment") {
        w["spec"]["replicas"] = 2;
      }
      return w;
    };
  if (!s.get("apps/v1", "DaemonSet", "kube-system", "kube-proxy")) {
    s.create(workload("DaemonSet", "kube-proxy", "kube-proxy", "registry.k8s.io/kube-proxy:v1.33.0"));
  }
  if (!s.get("apps/v1", "Deployment", "kube-system", "coredns")) {
    s.create(workload("Deployment", "coredns", "kube-dns", "registry.k8s.io/coredns/coredns:v1.12.0"));
  }
}

ClusterApiOptions
cluster_api(KubeTestServer& workload, const CapiPlayOptions& options)
{
  ClusterApiOptions o;
  o.kubeconfig = options.workload_kubeconfig.empty() ? workload.kubeconfig() : options.workload_kubeconfig;
  o.delay = options.delay;
  o.deletion_delay = options.deletion_delay;
  o.nodes = &workload;
  o.infrastructure_failure = options.infrastructure_failure;
  o.machine_boot = options.machine_boot;
  o.machine_failure = options.machine_failure;
  return o;
}

} // namespace

void
play_workload_controllers(KubeTestServer& s,
                          std::chrono::milliseconds delay,
                          const std::vector<std::string>& never_available)
{
  const DeploymentControllerOptions d{ .delay = delay, .never_available = never_available };
  play_deployment_controller(s, d);
  play_daemonset_controller(s, d);
  play_cert_manager(s, delay);
  play_endpoints_controller(s, delay);
}

void
play_capi(KubeTestServer& management, KubeTestServer& workload, const CapiPlayOptions& options)
{
  play_cluster_api(management, cluster_api(workload, options));
  // kubeadm's add-on phase ends kubeadm init, after the first kubelet has
  // registered its Node.
  workload.on({ .group = "", .kind = "Node", .added = true, .modified = false, .delay = options.kubeadm_addons_after },
              [](KubeTestServer& s, const ObjectEvent&) { kubeadm_addons(s); });
  play_workload_controllers(workload, options.delay, options.workload_never_available);
  NodeReadinessOptions nodes;
  nodes.daemonsets.push_back("kube-flannel/kube-flannel-ds");
  if (options.provider == "oci") {
    nodes.daemonsets.push_back("kube-system/oci-cloud-controller-manager");
  } else if (options.provider == "oxide") {
    nodes.deployments.push_back("kube-system/oxide-cloud-controller-manager");
  } else {
    nodes.any_of = { "daemonset:kube-system/oci-cloud-controller-manager",
                     "deployment:kube-system/oxide-cloud-controller-manager" };
  }
  play_node_readiness(workload, nodes);
  // Self-managed: the moved Cluster API objects are reconciled there.
  play_cluster_api(workload, cluster_api(workload, options));
}

} // namespace ocne::test::kube
