#include "tests/servers/kube/controllers.hpp"

#include "tests/servers/kube/json_util.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>

namespace ocne::test::kube {

namespace {

constexpr const char* k_finalizer = "cluster.cluster.x-k8s.io";

Json
status_stub(const Json& obj)
{
  const Json& meta = obj["metadata"];
  Json out = { { "apiVersion", obj["apiVersion"] },
               { "kind", obj["kind"] },
               { "metadata", { { "name", meta["name"] } } } };
  if (meta.contains("namespace")) {
    out["metadata"]["namespace"] = meta["namespace"];
  }
  return out;
}

// A v1beta2-style condition (observedGeneration, non-empty reason and message).
void
condition(Json& status_obj,
          const std::string& type,
          const std::string& reason,
          const std::string& message,
          long long generation)
{
  set_condition(status_obj, type, "True", reason, message);
  for (auto& c : status_obj["status"]["conditions"]) {
    if (c["type"] == type) {
      c["observedGeneration"] = generation;
    }
  }
}

} // namespace

namespace {

// Why a Deployment's pods do not run.
enum class Stall {
  image_pull,    // the image cannot be pulled: containers wait in ImagePullBackOff
  unschedulable, // no node fits: PodScheduled=False (Unschedulable)
  secret_mount,  // a mounted Secret does not exist: containers wait in ContainerCreating
};

void stall_deployment_pod(KubeTestServer& s, const Json& d, Stall why);

bool
condition_true(const Json& obj, const std::string& type)
{
  const Json* status = child(obj, "status");
  const Json* conditions = status == nullptr ? nullptr : child(*status, "conditions");
  if (conditions == nullptr || !conditions->is_array()) {
    return false;
  }
  for (const auto& c : *conditions) {
    if (c.value("type", "") == type) {
      return c.value("status", "") == "True";
    }
  }
  return false;
}

// A Deployment whose pods cannot start: Available=False and a Pod that says
// why. Written only when it changes, as hooks see their own writes.
void
stall_deployment(KubeTestServer& s, const Json& d, long long generation, Stall why = Stall::image_pull)
{
  Json st = status_stub(d);
  st["status"] = { { "observedGeneration", generation }, { "replicas", 1 }, { "unavailableReplicas", 1 } };
  set_condition(
    st, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");
  const Json* live = child(d, "status");
  const bool same = live != nullptr && live->value("observedGeneration", 0LL) == generation &&
                    live->value("availableReplicas", 0LL) == 0 && live->contains("unavailableReplicas");
  if (!same) {
    s.apply_status(st, "fake-deployment-controller");
  }
  stall_deployment_pod(s, d, why);
}

std::string
stalled_pod_name(const Json& d)
{
  return string_at(d["metadata"], "name") + "-7d9c4b-x2x5q";
}

// One Pod of a workload that cannot start, with the status the kubelet or
// the scheduler gives it.
void
stall_deployment_pod(KubeTestServer& s, const Json& d, Stall why)
{
  const std::string ns = string_at(d["metadata"], "namespace");
  const Json* tmpl = child(d["spec"], "template");
  if (tmpl == nullptr || s.get("v1", "Pod", ns, stalled_pod_name(d))) {
    return;
  }
  Json labels = Json::object();
  if (const Json* meta = child(*tmpl, "metadata"); meta != nullptr && meta->contains("labels")) {
    labels = (*meta)["labels"];
  }
  Json statuses = Json::array();
  Json containers = Json::array();
  for (const auto& c : (*tmpl)["spec"].value("containers", Json::array())) {
    const std::string image = c.value("image", "");
    containers.push_back({ { "name", c.value("name", "") }, { "image", image } });
    Json waiting = { { "reason", "ContainerCreating" } };
    if (why == Stall::image_pull) {
      waiting = { { "reason", "ImagePullBackOff" }, { "message", "Back-off pulling image \"" + image + "\"" } };
    }
    statuses.push_back({ { "name", c.value("name", "") },
                         { "image", image },
                         { "ready", false },
                         { "restartCount", 0 },
                         { "imageID", "" },
                         { "state", { { "waiting", waiting } } } });
  }
  Json pod = { { "apiVersion", "v1" },
               { "kind", "Pod" },
               { "metadata", { { "name", stalled_pod_name(d) }, { "namespace", ns }, { "labels", labels } } },
               { "spec", { { "containers", containers } } } };
  s.create(pod);
  Json pod_status = status_stub(pod);
  pod_status["status"] = { { "phase", "Pending" } };
  if (why == Stall::unschedulable) {
    // The scheduler's answer; no containers were created.
    set_condition(pod_status,
                  "PodScheduled",
                  "False",
                  "Unschedulable",
                  "0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. "
                  "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  } else {
    pod_status["status"]["containerStatuses"] = statuses;
  }
  s.apply_status(pod_status, "fake-kubelet");
}

// The Secrets a Deployment's pod template mounts (volumes[].secret, not
// optional) that do not exist in its namespace: the kubelet keeps such a
// pod in ContainerCreating until they do.
std::vector<std::string>
missing_secrets(const KubeTestServer& s, const Json& d)
{
  std::vector<std::string> missing;
  const Json* tmpl = child(d["spec"], "template");
  const Json* spec = tmpl == nullptr ? nullptr : child(*tmpl, "spec");
  if (spec == nullptr) {
    return missing;
  }
  const std::string ns = string_at(d["metadata"], "namespace");
  for (const auto& v : spec->value("volumes", Json::array())) {
    const Json* secret = child(v, "secret");
    if (secret == nullptr || secret->value("optional", false)) {
      continue;
    }
    const std::string name = string_at(*secret, "secretName");
    if (!name.empty() && !s.get("v1", "Secret", ns, name)) {
      missing.push_back(name);
    }
  }
  return missing;
}

} // namespace

int
play_deployment_controller(KubeTestServer& server, std::chrono::milliseconds delay)
{
  return play_deployment_controller(server, DeploymentControllerOptions{ .delay = delay, .never_available = {} });
}

int
play_deployment_controller(KubeTestServer& server, const DeploymentControllerOptions& options)
{
  auto hook = [stuck = options.never_available, unschedulable = options.unschedulable](KubeTestServer& s,
                                                                                       const ObjectEvent& e) {
    const Json& meta = (*e.object)["metadata"];
    const auto live = s.get("apps/v1", "Deployment", string_at(meta, "namespace"), string_at(meta, "name"));
    if (!live || (*live)["metadata"].contains("deletionTimestamp")) {
      return;
    }
    const Json& d = *live;
    const long long generation = d["metadata"].value("generation", 1LL);
    const Json* status = child(d, "status");
    const bool observed = status != nullptr && status->value("observedGeneration", 0LL) == generation;
    const std::string key = string_at(meta, "namespace") + "/" + string_at(meta, "name");
    if (std::find(stuck.begin(), stuck.end(), key) != stuck.end()) {
      if (!observed) {
        stall_deployment(s, d, generation);
      }
      return;
    }
    if (std::find(unschedulable.begin(), unschedulable.end(), key) != unschedulable.end()) {
      if (!observed) {
        stall_deployment(s, d, generation, Stall::unschedulable);
      }
      return;
    }
    // Running pods keep running when a Secret they mount goes away.
    if (observed && condition_true(d, "Available")) {
      return;
    }
    if (!missing_secrets(s, d).empty()) {
      stall_deployment(s, d, generation, Stall::secret_mount);
      return;
    }
    // The pods start: the one that waited for its Secrets is replaced.
    if (s.get("v1", "Pod", string_at(meta, "namespace"), stalled_pod_name(d))) {
      s.remove("v1", "Pod", string_at(meta, "namespace"), stalled_pod_name(d));
    }
    const long long replicas = d["spec"].value("replicas", 1LL);
    Json st = status_stub(d);
    st["status"] = { { "observedGeneration", generation },
                     { "replicas", replicas },
                     { "updatedReplicas", replicas },
                     { "readyReplicas", replicas },
                     { "availableReplicas", replicas } };
    if (status != nullptr && status->contains("conditions")) {
      st["status"]["conditions"] = (*status)["conditions"];
    }
    set_condition(st, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
    set_condition(st, "Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed.");
    s.apply_status(st, "fake-deployment-controller");
  };
  const int id = server.on({ .group = "apps", .kind = "Deployment", .delay = options.delay }, hook);
  // A Secret that appears lets the Deployments that mount it start.
  server.on({ .group = "", .kind = "Secret", .modified = false, .delay = options.delay },
            [hook](KubeTestServer& s, const ObjectEvent& e) {
              for (const auto& d : s.list("apps/v1", "Deployment", string_at((*e.object)["metadata"], "namespace"))) {
                hook(s, { "MODIFIED", std::make_shared<const Json>(d), nullptr });
              }
            });
  for (const auto& d : server.list("apps/v1", "Deployment")) {
    hook(server, { "ADDED", std::make_shared<const Json>(d), nullptr });
  }
  return id;
}

int
play_cluster_api(KubeTestServer& server, std::string kubeconfig, std::chrono::milliseconds delay)
{
  auto hook = [kubeconfig](KubeTestServer& s, const ObjectEvent& e) {
    const Json& meta = (*e.object)["metadata"];
    const std::string ns = string_at(meta, "namespace");
    const std::string name = string_at(meta, "name");
    const auto live = s.get("cluster.x-k8s.io/v1beta2", "Cluster", ns, name);
    if (!live) {
      return;
    }
    const Json& c = *live;
    bool finalized = false;
    if (const Json* f = child(c["metadata"], "finalizers"); f != nullptr && f->is_array()) {
      for (const auto& v : *f) {
        finalized = finalized || v == k_finalizer;
      }
    }
    if (c["metadata"].contains("deletionTimestamp")) {
      if (finalized) {
        Json remaining = Json::array();
        for (const auto& v : c["metadata"]["finalizers"]) {
          if (v != k_finalizer) {
            remaining.push_back(v);
          }
        }
        s.merge_patch("cluster.x-k8s.io/v1beta2",
                      "Cluster",
                      ns,
                      name,
                      { { "metadata", { { "finalizers", remaining.empty() ? Json(nullptr) : remaining } } } });
      }
      return;
    }
    if (!finalized) {
      Json list = c["metadata"].value("finalizers", Json::array());
      list.push_back(k_finalizer);
      s.merge_patch("cluster.x-k8s.io/v1beta2", "Cluster", ns, name, { { "metadata", { { "finalizers", list } } } });
    }
    const Json* status = child(c, "status");
    if (status == nullptr || string_at(*status, "phase") != "Provisioned") {
      const long long generation = c["metadata"].value("generation", 1LL);
      Json st = status_stub(c);
      st["apiVersion"] = "cluster.x-k8s.io/v1beta2";
      st["status"] = { { "phase", "Provisioned" },
                       { "observedGeneration", generation },
                       { "initialization",
                         { { "infrastructureProvisioned", true }, { "controlPlaneInitialized", true } } } };
      condition(st, "InfrastructureReady", "Ready", "the infrastructure is ready", generation);
      condition(st, "ControlPlaneInitialized", "Initialized", "the control plane is initialized", generation);
      condition(st, "Available", "Available", "the cluster is available", generation);
      s.apply_status(st, "fake-capi-controller");
    }
    const std::string secret = name + "-kubeconfig";
    if (!s.get("v1", "Secret", ns, secret)) {
      s.create({ { "apiVersion", "v1" },
                 { "kind", "Secret" },
                 { "type", "cluster.x-k8s.io/secret" },
                 { "metadata",
                   { { "name", secret },
                     { "namespace", ns },
                     { "labels", { { "cluster.x-k8s.io/cluster-name", name } } },
                     { "ownerReferences",
                       { { { "apiVersion", "cluster.x-k8s.io/v1beta2" },
                           { "kind", "Cluster" },
                           { "name", name },
                           { "uid", c["metadata"]["uid"] },
                           { "controller", true },
                           { "blockOwnerDeletion", true } } } } } },
                 { "data", { { "value", base64_encode(kubeconfig) } } } });
    }
  };
  const int id = server.on({ .group = "cluster.x-k8s.io", .kind = "Cluster", .delay = delay }, hook);
  return id;
}

namespace {

bool
deployment_available(const KubeTestServer& s, const std::string& ns, const std::string& name)
{
  const auto d = s.get("apps/v1", "Deployment", ns, name);
  return d && condition_true(*d, "Available");
}

void
mark_ready(KubeTestServer& s, const Json& obj, const std::string& reason)
{
  if (condition_true(obj, "Ready")) {
    return;
  }
  Json st = status_stub(obj);
  if (const Json* status = child(obj, "status"); status != nullptr && status->contains("conditions")) {
    st["status"]["conditions"] = (*status)["conditions"];
  }
  set_condition(st, "Ready", "True", reason, "ready (fake cert-manager)");
  s.apply_status(st, "fake-cert-manager");
}

void
reconcile_cert_manager(KubeTestServer& s)
{
  if (!deployment_available(s, "cert-manager", "cert-manager")) {
    return;
  }
  for (const auto& issuer : s.list("cert-manager.io/v1", "Issuer")) {
    mark_ready(s, issuer, "IsReady");
  }
  for (const auto& issuer : s.list("cert-manager.io/v1", "ClusterIssuer")) {
    mark_ready(s, issuer, "IsReady");
  }
  for (const auto& cert : s.list("cert-manager.io/v1", "Certificate")) {
    if (cert["metadata"].contains("deletionTimestamp")) {
      continue;
    }
    const std::string ns = string_at(cert["metadata"], "namespace");
    const std::string secret = cert.contains("spec") ? string_at(cert["spec"], "secretName") : "";
    if (!secret.empty() && !s.get("v1", "Secret", ns, secret)) {
      const std::string pem = "-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----\n";
      s.create({ { "apiVersion", "v1" },
                 { "kind", "Secret" },
                 { "type", "kubernetes.io/tls" },
                 { "metadata", { { "name", secret }, { "namespace", ns } } },
                 { "data",
                   { { "tls.crt", base64_encode(pem) },
                     { "tls.key", base64_encode("fake key") },
                     { "ca.crt", base64_encode(pem) } } } });
    }
    mark_ready(s, cert, "Ready");
  }
}

bool
selector_matches(const Json& selector, const Json& labels)
{
  if (!selector.is_object() || selector.empty() || !labels.is_object()) {
    return false;
  }
  for (const auto& [k, v] : selector.items()) {
    if (!labels.contains(k) || labels[k] != v) {
      return false;
    }
  }
  return true;
}

void
reconcile_endpoints(KubeTestServer& s, const std::string& ns)
{
  const auto deployments = s.list("apps/v1", "Deployment", ns);
  for (const auto& svc : s.list("v1", "Service", ns)) {
    const Json* spec = child(svc, "spec");
    const Json* selector = spec == nullptr ? nullptr : child(*spec, "selector");
    if (selector == nullptr) {
      continue;
    }
    bool ready = false;
    for (const auto& d : deployments) {
      const Json* tmpl = child(d["spec"], "template");
      const Json* meta = tmpl == nullptr ? nullptr : child(*tmpl, "metadata");
      const Json* labels = meta == nullptr ? nullptr : child(*meta, "labels");
      ready = ready || (labels != nullptr && selector_matches(*selector, *labels) && condition_true(d, "Available"));
    }
    const std::string name = string_at(svc["metadata"], "name");
    Json ports = Json::array();
    for (const auto& p : spec->value("ports", Json::array())) {
      Json port = { { "port", p.value("targetPort", p.value("port", Json(0))) },
                    { "protocol", p.value("protocol", "TCP") } };
      if (!port["port"].is_number()) {
        port["port"] = p.value("port", Json(0));
      }
      if (p.contains("name")) {
        port["name"] = p["name"];
      }
      ports.push_back(port);
    }
    Json endpoints = { { "apiVersion", "v1" },
                       { "kind", "Endpoints" },
                       { "metadata", { { "name", name }, { "namespace", ns } } },
                       { "subsets", Json::array() } };
    if (ready) {
      endpoints["subsets"].push_back({ { "addresses", { { { "ip", "10.244.0.10" } } } }, { "ports", ports } });
    }
    const auto live = s.get("v1", "Endpoints", ns, name);
    if (live && live->value("subsets", Json::array()) == endpoints["subsets"]) {
      continue;
    }
    s.apply(endpoints, "fake-endpoints-controller");
  }
}

} // namespace

int
play_cert_manager(KubeTestServer& server, std::chrono::milliseconds delay)
{
  auto hook = [](KubeTestServer& s, const ObjectEvent&) { reconcile_cert_manager(s); };
  const int id = server.on({ .group = "cert-manager.io", .kind = "", .delay = delay }, hook);
  server.on({ .group = "apps", .kind = "Deployment", .delay = delay }, hook);
  reconcile_cert_manager(server);
  return id;
}

int
play_endpoints_controller(KubeTestServer& server, std::chrono::milliseconds delay)
{
  auto hook = [](KubeTestServer& s, const ObjectEvent& e) {
    reconcile_endpoints(s, string_at((*e.object)["metadata"], "namespace"));
  };
  const int id = server.on({ .group = "apps", .kind = "Deployment", .delay = delay }, hook);
  server.on({ .group = "", .kind = "Service", .delay = delay }, hook);
  return id;
}

namespace {

bool
daemonset_rolled_out(const Json& ds)
{
  const Json* status = child(ds, "status");
  if (status == nullptr) {
    return false;
  }
  const long long desired = status->value("desiredNumberScheduled", -1LL);
  return desired > 0 && status->value("numberAvailable", 0LL) == desired &&
         status->value("observedGeneration", 0LL) >= ds["metadata"].value("generation", 1LL);
}

void
reconcile_nodes(KubeTestServer& s, const std::vector<std::string>& cni)
{
  bool ready = true;
  for (const auto& key : cni) {
    const auto slash = key.find('/');
    const auto ds = s.get("apps/v1", "DaemonSet", key.substr(0, slash), key.substr(slash + 1));
    ready = ready && ds && daemonset_rolled_out(*ds);
  }
  for (const auto& node : s.list("v1", "Node")) {
    const bool has_ready = node.contains("status") && node["status"].contains("conditions") &&
                           node["status"]["conditions"].dump().find("\"Ready\"") != std::string::npos;
    if (has_ready && condition_true(node, "Ready") == ready) {
      continue;
    }
    Json st = status_stub(node);
    if (const Json* status = child(node, "status"); status != nullptr && status->contains("conditions")) {
      st["status"]["conditions"] = (*status)["conditions"];
    }
    if (ready) {
      set_condition(st, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
    } else {
      set_condition(st,
                    "Ready",
                    "False",
                    "KubeletNotReady",
                    "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                    "message:Network plugin returns error: cni plugin not initialized");
    }
    s.apply_status(st, "fake-kubelet");
  }
}

} // namespace

int
play_daemonset_controller(KubeTestServer& server, const DeploymentControllerOptions& options)
{
  auto hook = [stuck = options.never_available](KubeTestServer& s, const ObjectEvent& e) {
    const Json& meta = (*e.object)["metadata"];
    const auto live = s.get("apps/v1", "DaemonSet", string_at(meta, "namespace"), string_at(meta, "name"));
    if (!live || (*live)["metadata"].contains("deletionTimestamp")) {
      return;
    }
    const Json& ds = *live;
    const long long generation = ds["metadata"].value("generation", 1LL);
    const long long nodes = std::max<long long>(1, static_cast<long long>(s.list("v1", "Node").size()));
    const std::string key = string_at(meta, "namespace") + "/" + string_at(meta, "name");
    const bool stalled = std::find(stuck.begin(), stuck.end(), key) != stuck.end();
    const Json* status = child(ds, "status");
    if (status != nullptr && status->value("observedGeneration", 0LL) == generation &&
        status->value("desiredNumberScheduled", 0LL) == nodes) {
      return;
    }
    Json st = status_stub(ds);
    st["status"] = { { "observedGeneration", generation },
                     { "desiredNumberScheduled", nodes },
                     { "currentNumberScheduled", nodes },
                     { "updatedNumberScheduled", nodes },
                     { "numberReady", stalled ? 0 : nodes },
                     { "numberAvailable", stalled ? 0 : nodes },
                     { "numberMisscheduled", 0 } };
    if (stalled) {
      st["status"]["numberUnavailable"] = nodes;
    }
    s.apply_status(st, "fake-daemonset-controller");
    if (stalled) {
      // The same Pod a stalled Deployment shows.
      stall_deployment_pod(s, ds, Stall::image_pull);
    }
  };
  const int id = server.on({ .group = "apps", .kind = "DaemonSet", .delay = options.delay }, hook);
  for (const auto& ds : server.list("apps/v1", "DaemonSet")) {
    hook(server, { "ADDED", std::make_shared<const Json>(ds), nullptr });
  }
  return id;
}

int
write_requests(const KubeTestServer& server)
{
  int n = 0;
  for (const auto& r : server.requests()) {
    n += r.method != "GET" ? 1 : 0;
  }
  return n;
}

int
play_node_readiness(KubeTestServer& server, std::vector<std::string> cni)
{
  auto hook = [cni](KubeTestServer& s, const ObjectEvent&) { reconcile_nodes(s, cni); };
  const int id = server.on({ .group = "apps", .kind = "DaemonSet" }, hook);
  server.on({ .group = "", .kind = "Node", .deleted = false }, hook);
  reconcile_nodes(server, cni);
  return id;
}

} // namespace ocne::test::kube

// ---- The Cluster API controllers of a management cluster ----

namespace ocne::test::kube {

namespace {

constexpr const char* k_cluster_label = "cluster.x-k8s.io/cluster-name";
constexpr const char* k_manager = "fake-capi-controller";
constexpr const char* k_cloned_from_name = "cluster.x-k8s.io/cloned-from-name";
constexpr const char* k_cloned_from_groupkind = "cluster.x-k8s.io/cloned-from-groupkind";

std::string
group_of(const std::string& api_version)
{
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

// "v1.33.5" and "1.33.5" are the same version (the webhooks add the v).
std::string
bare_version(std::string v)
{
  return !v.empty() && v[0] == 'v' ? v.substr(1) : v;
}

// The first of the versions the server serves for a kind ("" when none):
// v1beta1 for Oracle's Cluster API 1.10, v1beta2 for upstream 1.13.
std::string
served_version(const KubeTestServer& s, const std::string& group, const std::string& kind)
{
  for (const char* v : { "v1beta2", "v1beta1", "v1alpha1" }) {
    try {
      (void)s.list(group + "/" + v, kind, "ocne-no-such-namespace");
      return group + "/" + v;
    } catch (const std::exception&) {
    }
  }
  return "";
}

bool
is_v1beta1(const std::string& api_version)
{
  return api_version.size() >= 7 && api_version.compare(api_version.size() - 7, 7, "v1beta1") == 0;
}

bool
has_finalizer(const Json& obj, const std::string& finalizer)
{
  const Json* f = child(obj["metadata"], "finalizers");
  return f != nullptr && f->is_array() && std::find(f->begin(), f->end(), Json(finalizer)) != f->end();
}

bool
paused(const Json& cluster)
{
  const Json* spec = child(cluster, "spec");
  const Json* annotations = child(cluster["metadata"], "annotations");
  return (spec != nullptr && spec->value("paused", false)) ||
         (annotations != nullptr && annotations->contains("cluster.x-k8s.io/paused"));
}

// Whether writing desired's status would change anything but conditions.
bool
status_differs(const Json& live, const Json& desired)
{
  const Json* have = child(live, "status");
  if (have == nullptr) {
    return true;
  }
  for (const auto& [k, v] : desired["status"].items()) {
    if (k == "conditions" || k == "v1beta2" || k == "deprecated") {
      if (!have->contains(k)) {
        return true;
      }
      continue;
    }
    if (!have->contains(k) || (*have)[k] != v) {
      return true;
    }
  }
  return false;
}

// A v1beta1 Cluster API condition (severity for False ones).
void
condition_v1beta1(Json& st,
                  const std::string& type,
                  bool ok,
                  const std::string& reason = "",
                  const std::string& message = "")
{
  set_condition(st, type, ok ? "True" : "False", reason, message);
  if (!ok) {
    for (auto& c : st["status"]["conditions"]) {
      if (c["type"] == type) {
        c["severity"] = "Error";
      }
    }
  }
}

// A v1beta2 condition: reason and message always there.
void
condition_v1beta2(Json& st,
                  const std::string& type,
                  bool ok,
                  const std::string& reason,
                  const std::string& message,
                  long long generation)
{
  set_condition(st, type, ok ? "True" : "False", reason, message);
  for (auto& c : st["status"]["conditions"]) {
    if (c["type"] == type) {
      c["observedGeneration"] = generation;
    }
  }
}

Json
owner_ref(const Json& owner, bool controller)
{
  Json ref = { { "apiVersion", owner["apiVersion"] },
               { "kind", owner["kind"] },
               { "name", owner["metadata"]["name"] },
               { "uid", owner["metadata"]["uid"] } };
  if (controller) {
    ref["controller"] = true;
    ref["blockOwnerDeletion"] = true;
  }
  return ref;
}

bool
owned_by(const Json& obj, const Json& owner)
{
  const Json* refs = child(obj["metadata"], "ownerReferences");
  if (refs == nullptr || !refs->is_array()) {
    return false;
  }
  for (const auto& r : *refs) {
    if (r.value("uid", "") == string_at(owner["metadata"], "uid")) {
      return true;
    }
  }
  return false;
}

// Adds the Cluster as an owner of obj and the cluster-name label.
void
adopt(KubeTestServer& s, const Json& obj, const Json& cluster)
{
  const std::string name = string_at(cluster["metadata"], "name");
  const Json* labels = child(obj["metadata"], "labels");
  const bool labelled = labels != nullptr && labels->value(k_cluster_label, "") == name;
  if (owned_by(obj, cluster) && labelled) {
    return;
  }
  Json refs = obj["metadata"].value("ownerReferences", Json::array());
  if (!owned_by(obj, cluster)) {
    refs.push_back(owner_ref(cluster, false));
  }
  s.merge_patch(string_at(obj, "apiVersion"),
                string_at(obj, "kind"),
                string_at(obj["metadata"], "namespace"),
                string_at(obj["metadata"], "name"),
                { { "metadata", { { "ownerReferences", refs }, { "labels", { { k_cluster_label, name } } } } } });
}

// The object a reference names: {apiVersion, kind, name} (v1beta1) or
// {apiGroup, kind, name} (v1beta2).
std::optional<Json>
resolve_ref(const KubeTestServer& s, const Json& ref, const std::string& ns)
{
  if (!ref.is_object() || !ref.contains("kind") || !ref.contains("name")) {
    return std::nullopt;
  }
  std::string api_version = ref.value("apiVersion", "");
  if (api_version.empty()) {
    api_version = served_version(s, ref.value("apiGroup", ""), ref.value("kind", ""));
  }
  if (api_version.empty()) {
    return std::nullopt;
  }
  try {
    return s.get(api_version, ref.value("kind", ""), ns, ref.value("name", ""));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Five characters as Kubernetes' name generator picks them, from a seed.
std::string
name_suffix(const std::string& seed)
{
  static constexpr char k_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::size_t h = std::hash<std::string>{}(seed);
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out += k_alphabet[h % (sizeof(k_alphabet) - 1)];
    h /= (sizeof(k_alphabet) - 1);
  }
  return out;
}

// A Warning Event about object, as a controller records it.
void
warning_event(KubeTestServer& s,
              const Json& object,
              const std::string& reason,
              const std::string& message,
              const std::string& component)
{
  const std::string ns = string_at(object["metadata"], "namespace");
  const std::string name = string_at(object["metadata"], "name");
  s.create({ { "apiVersion", "v1" },
             { "kind", "Event" },
             { "metadata", { { "name", name + "." + name_suffix(message + rfc3339_now()) }, { "namespace", ns } } },
             { "involvedObject",
               { { "apiVersion", object["apiVersion"] },
                 { "kind", object["kind"] },
                 { "name", name },
                 { "namespace", ns },
                 { "uid", object["metadata"]["uid"] },
                 { "resourceVersion", object["metadata"].value("resourceVersion", "") } } },
             { "reason", reason },
             { "message", message },
             { "type", "Warning" },
             { "count", 1 },
             { "firstTimestamp", rfc3339_now() },
             { "lastTimestamp", rfc3339_now() },
             { "source", { { "component", component } } } });
}

// What the controllers remember between reconciles: when each Machine
// (by uid) started to boot.
struct PlayerState
{
  // One reconcile at a time: they run on both servers' hook threads.
  std::mutex reconciling;
  std::mutex mutex;
  std::map<std::string, std::chrono::steady_clock::time_point> boot_started;
};

class ClusterApiPlayer
{
public:
  ClusterApiPlayer(KubeTestServer& s, const ClusterApiOptions& o, std::string core, PlayerState& state)
    : m_s(s), m_o(o), m_core(std::move(core)), m_nodes(o.nodes != nullptr ? *o.nodes : s), m_state(&state)
  {
  }

  void
  reconcile(const std::string& ns, const std::string& name)
  {
    auto live = m_s.get(m_core, "Cluster", ns, name);
    if (!live || (*live)["metadata"].contains("deletionTimestamp") || paused(*live)) {
      return;
    }
    if (!has_finalizer(*live, k_finalizer)) {
      Json list = (*live)["metadata"].value("finalizers", Json::array());
      list.push_back(k_finalizer);
      m_s.merge_patch(m_core, "Cluster", ns, name, { { "metadata", { { "finalizers", list } } } });
      live = m_s.get(m_core, "Cluster", ns, name);
    }
    Json cluster = *live;
    auto infra = resolve_ref(m_s, cluster["spec"].value("infrastructureRef", Json()), ns);
    if (!infra) {
      return;
    }
    adopt(m_s, *infra, cluster);
    const auto failure = m_o.infrastructure_failure ? m_o.infrastructure_failure() : std::nullopt;
    if (failure) {
      fail_infrastructure(cluster, *infra, *failure);
      return;
    }
    const Json endpoint = infrastructure_ready(*infra);
    if (!cluster["spec"].contains("controlPlaneEndpoint") ||
        !cluster["spec"]["controlPlaneEndpoint"].contains("host") ||
        string_at(cluster["spec"]["controlPlaneEndpoint"], "host").empty()) {
      m_s.merge_patch(m_core, "Cluster", ns, name, { { "spec", { { "controlPlaneEndpoint", endpoint } } } });
      cluster = *m_s.get(m_core, "Cluster", ns, name);
    }
    const std::string kind = string_at(*infra, "kind");
    const std::string machine_kind = kind.substr(0, kind.size() - std::string("Cluster").size()) + "Machine";
    m_infra_machine = { { "apiVersion", (*infra)["apiVersion"] }, { "kind", machine_kind } };

    int cp_ready = 0;
    std::optional<Json> kcp = resolve_ref(m_s, cluster["spec"].value("controlPlaneRef", Json()), ns);
    if (kcp) {
      adopt(m_s, *kcp, cluster);
      kcp = resolve_ref(m_s, cluster["spec"].value("controlPlaneRef", Json()), ns);
      cp_ready = control_plane(cluster, *kcp);
    }
    if (cp_ready > 0) {
      provisioned(cluster, *kcp);
    }
    const std::string md_api = served_version(m_s, "cluster.x-k8s.io", "MachineDeployment");
    for (const auto& md : m_s.list(md_api, "MachineDeployment", ns)) {
      if (md["spec"].value("clusterName", "") == name && !md["metadata"].contains("deletionTimestamp")) {
        adopt(m_s, md, cluster);
        machine_deployment(
          cluster, *m_s.get(md_api, "MachineDeployment", ns, string_at(md["metadata"], "name")), cp_ready > 0);
      }
    }
    if (cp_ready > 0 && m_o.on_provisioned) {
      m_o.on_provisioned(*m_s.get(m_core, "Cluster", ns, name));
    }
  }

  // Deletion: descendants, the infrastructure, then the finalizer.
  void
  finish_deletion(const std::string& ns, const std::string& name)
  {
    const auto live = m_s.get(m_core, "Cluster", ns, name);
    if (!live || !(*live)["metadata"].contains("deletionTimestamp") || !has_finalizer(*live, k_finalizer)) {
      return;
    }
    const std::string selector = std::string(k_cluster_label) + "=" + name;
    for (const auto& m : m_s.list(m_core, "Machine", ns, selector)) {
      const std::string node = string_at(m["metadata"], "name");
      if (m_nodes.get("v1", "Node", "", node)) {
        m_nodes.remove("v1", "Node", "", node);
      }
      m_s.remove(m_core, "Machine", ns, node);
    }
    for (const char* kind : { "MachineSet", "MachineDeployment" }) {
      const std::string api = served_version(m_s, "cluster.x-k8s.io", kind);
      for (const auto& o : m_s.list(api, kind, ns)) {
        if (o["spec"].value("clusterName", "") == name) {
          m_s.remove(api, kind, ns, string_at(o["metadata"], "name"));
        }
      }
    }
    for (const char* ref : { "controlPlaneRef", "infrastructureRef" }) {
      if (auto o = resolve_ref(m_s, (*live)["spec"].value(ref, Json()), ns)) {
        m_s.remove(string_at(*o, "apiVersion"), string_at(*o, "kind"), ns, string_at((*o)["metadata"], "name"));
      }
    }
    if (m_s.get("v1", "Secret", ns, name + "-kubeconfig")) {
      m_s.remove("v1", "Secret", ns, name + "-kubeconfig");
    }
    Json remaining = Json::array();
    for (const auto& v : (*live)["metadata"]["finalizers"]) {
      if (v != k_finalizer) {
        remaining.push_back(v);
      }
    }
    m_s.merge_patch(m_core,
                    "Cluster",
                    ns,
                    name,
                    { { "metadata", { { "finalizers", remaining.empty() ? Json(nullptr) : remaining } } } });
  }

private:
  void
  fail_infrastructure(const Json& cluster, const Json& infra, const InfrastructureFailure& f)
  {
    const std::string ns = string_at(infra["metadata"], "namespace");
    const std::string name = string_at(infra["metadata"], "name");
    const Json* status = child(infra, "status");
    const Json* conditions = status == nullptr ? nullptr : child(*status, "conditions");
    bool said = false;
    if (conditions != nullptr && conditions->is_array()) {
      for (const auto& c : *conditions) {
        said = said || (c.value("type", "") == "Ready" && c.value("message", "") == f.message);
      }
    }
    if (said) {
      return;
    }
    Json st = status_stub(infra);
    if (status != nullptr && status->contains("conditions")) {
      st["status"]["conditions"] = (*status)["conditions"];
    }
    set_condition(st, "Ready", "False", f.reason, f.message);
    if (string_at(infra, "kind") == "OCICluster") {
      st["status"]["ready"] = false;
      condition_v1beta1(st, "Ready", false, f.reason, f.message);
    } else {
      condition_v1beta2(st, "Ready", false, f.reason, f.message, infra["metadata"].value("generation", 1LL));
    }
    const std::string component = string_at(infra, "kind");
    warning_event(
      m_s, infra, f.reason, f.message, component == "OCICluster" ? "ocicluster-controller" : "oxidecluster-controller");
    m_s.apply_status(st, "fake-infrastructure-controller");
    // The Cluster mirrors the infrastructure's Ready condition.
    Json cst = status_stub(cluster);
    const long long generation = cluster["metadata"].value("generation", 1LL);
    cst["status"] = { { "phase", "Provisioning" }, { "observedGeneration", generation } };
    if (is_v1beta1(m_core)) {
      cst["status"]["infrastructureReady"] = false;
      condition_v1beta1(cst, "InfrastructureReady", false, f.reason, f.message);
      condition_v1beta1(cst, "Ready", false, f.reason, f.message);
    } else {
      cst["status"]["initialization"] = { { "infrastructureProvisioned", false } };
      condition_v1beta2(cst, "InfrastructureReady", false, f.reason, f.message, generation);
      condition_v1beta2(cst, "Available", false, "NotAvailable", "* InfrastructureReady: " + f.message, generation);
    }
    m_s.apply_status(cst, k_manager);
  }

  // Makes the infrastructure cluster ready; returns its endpoint.
  Json
  infrastructure_ready(const Json& infra)
  {
    const std::string api = string_at(infra, "apiVersion");
    const std::string kind = string_at(infra, "kind");
    const std::string ns = string_at(infra["metadata"], "namespace");
    const std::string name = string_at(infra["metadata"], "name");
    const std::string seed = string_at(infra["metadata"], "uid");
    Json endpoint = infra["spec"].value("controlPlaneEndpoint", Json::object());
    if (endpoint.value("host", "").empty()) {
      endpoint = { { "host", "203.0.113." + std::to_string(10 + std::hash<std::string>{}(seed) % 200) },
                   { "port", 6443 } };
    }
    Json spec_patch = Json::object();
    if (!infra["spec"].contains("controlPlaneEndpoint") ||
        infra["spec"]["controlPlaneEndpoint"].value("host", "").empty()) {
      spec_patch["controlPlaneEndpoint"] = endpoint;
    }
    if (kind == "OCICluster") {
      Json vcn = infra["spec"].value("networkSpec", Json::object()).value("vcn", Json::object());
      const Json before = vcn;
      if (vcn.value("id", "").empty()) {
        vcn["id"] = "ocid1.vcn.oc1.iad." + name_suffix(seed + "vcn") + name_suffix(seed + "vcn2");
      }
      if (!vcn.contains("subnets") || vcn["subnets"].empty()) {
        vcn["subnets"] = Json::array(
          { { { "name", "control-plane-endpoint" }, { "role", "control-plane-endpoint" }, { "cidr", "10.0.0.8/29" } },
            { { "name", "control-plane" }, { "role", "control-plane" }, { "cidr", "10.0.0.0/29" } },
            { { "name", "service-lb" }, { "role", "service-lb" }, { "cidr", "10.0.0.32/27" } },
            { { "name", "service-lb-2" }, { "role", "service-lb" }, { "cidr", "10.0.0.64/27" } },
            { { "name", "worker" }, { "role", "worker" }, { "cidr", "10.0.64.0/20" } } });
      }
      for (auto& subnet : vcn["subnets"]) {
        if (subnet.value("id", "").empty()) {
          subnet["id"] = "ocid1.subnet.oc1.iad." + name_suffix(seed + subnet.value("name", "")) +
                         name_suffix(seed + subnet.value("name", "") + "2");
        }
      }
      if (vcn != before) {
        spec_patch["networkSpec"] = { { "vcn", vcn } };
      }
    }
    if (!spec_patch.empty()) {
      m_s.merge_patch(api, kind, ns, name, { { "spec", spec_patch } });
    }
    const auto live = m_s.get(api, kind, ns, name);
    Json st = status_stub(*live);
    if (kind == "OCICluster") {
      st["status"] = { { "ready", true } };
      condition_v1beta1(st, "Ready", true);
    } else {
      st["status"] = { { "initialization", { { "provisioned", true } } } };
      condition_v1beta2(
        st, "Ready", true, "Ready", "the infrastructure is ready", (*live)["metadata"].value("generation", 1LL));
    }
    const Json* have = child(*live, "status");
    const bool ready = have != nullptr && (have->value("ready", false) ||
                                           have->value("initialization", Json::object()).value("provisioned", false));
    if (!ready || !condition_true(*live, "Ready")) {
      m_s.apply_status(st, "fake-infrastructure-controller");
    }
    return endpoint;
  }

  // Where a pool's machines come from: the infrastructure machine template
  // and the kubeadm configuration spec for their KubeadmConfigs.
  struct MachineSource
  {
    std::optional<Json> infra_template;
    Json kubeadm_config_spec = Json::object();
    std::string version;
    // What the owner's references name (also when they name nothing that
    // exists): the cloned-from annotations of new machines say it, and a
    // machine whose annotation differs is out of date.
    std::string infra_template_name;
    std::string config_template_name; // MachineDeployments only
    std::string config_template_kind;
    std::string config_template_group;
  };

  // A reference to obj in the shape m_core uses (apiVersion or apiGroup).
  Json
  ref_to(const std::string& api_version, const std::string& kind, const std::string& name, const std::string& ns) const
  {
    if (is_v1beta1(m_core)) {
      return { { "apiVersion", api_version }, { "kind", kind }, { "name", name }, { "namespace", ns } };
    }
    return { { "apiGroup", api_version.substr(0, api_version.find('/')) }, { "kind", kind }, { "name", name } };
  }

  // A Machine for an owner with its infrastructure machine and KubeadmConfig
  // (both owned by the Machine, as the Machine controller sets them); returns it.
  Json
  new_machine(const Json& cluster,
              const Json& owner,
              const std::string& name,
              const Json& labels,
              const MachineSource& source)
  {
    const std::string ns = string_at(cluster["metadata"], "namespace");
    const std::string infra_api = source.infra_template ? string_at(*source.infra_template, "apiVersion")
                                                        : string_at(m_infra_machine, "apiVersion");
    const std::string infra_kind = string_at(m_infra_machine, "kind");
    const std::string bootstrap_api = served_version(m_s, "bootstrap.cluster.x-k8s.io", "KubeadmConfig");
    Json machine = { { "apiVersion", m_core },
                     { "kind", "Machine" },
                     { "metadata",
                       { { "name", name },
                         { "namespace", ns },
                         { "labels", labels },
                         { "ownerReferences", Json::array({ owner_ref(owner, true) }) } } },
                     { "spec",
                       { { "clusterName", string_at(cluster["metadata"], "name") },
                         { "bootstrap", { { "dataSecretName", name } } },
                         { "infrastructureRef", ref_to(infra_api, infra_kind, name, ns) } } } };
    if (!bootstrap_api.empty()) {
      machine["spec"]["bootstrap"]["configRef"] = ref_to(bootstrap_api, "KubeadmConfig", name, ns);
    }
    if (!source.version.empty()) {
      machine["spec"]["version"] = source.version;
    }
    Json created = m_s.create(machine);
    const Json owned_meta = { { "name", name },
                              { "namespace", ns },
                              { "labels", { { k_cluster_label, string_at(cluster["metadata"], "name") } } },
                              { "ownerReferences", Json::array({ owner_ref(created, true) }) } };
    if (source.infra_template) {
      const Json* tspec = child((*source.infra_template)["spec"], "template");
      Json infra_meta = owned_meta;
      infra_meta["annotations"] = { { k_cloned_from_name, string_at((*source.infra_template)["metadata"], "name") },
                                    { k_cloned_from_groupkind,
                                      string_at(*source.infra_template, "kind") + "." +
                                        group_of(string_at(*source.infra_template, "apiVersion")) } };
      m_s.create({ { "apiVersion", infra_api },
                   { "kind", infra_kind },
                   { "metadata", infra_meta },
                   { "spec", tspec != nullptr && tspec->contains("spec") ? (*tspec)["spec"] : Json::object() } });
    }
    if (!bootstrap_api.empty()) {
      Json config_meta = owned_meta;
      if (!source.config_template_name.empty()) {
        config_meta["annotations"] = { { k_cloned_from_name, source.config_template_name },
                                       { k_cloned_from_groupkind,
                                         source.config_template_kind + "." + source.config_template_group } };
      }
      const Json config = m_s.create({ { "apiVersion", bootstrap_api },
                                       { "kind", "KubeadmConfig" },
                                       { "metadata", config_meta },
                                       { "spec", source.kubeadm_config_spec } });
      // The bootstrap data the KubeadmConfig controller renders.
      Json secret_meta = owned_meta;
      secret_meta["ownerReferences"] = Json::array({ owner_ref(config, true) });
      m_s.create({ { "apiVersion", "v1" },
                   { "kind", "Secret" },
                   { "type", "cluster.x-k8s.io/secret" },
                   { "metadata", secret_meta },
                   { "data", { { "format", base64_encode("ignition") }, { "value", base64_encode("{}") } } } });
    }
    return created;
  }

  // Writes a Machine's status if it would change (phase, conditions).
  void
  machine_status(const Json& machine, const Json& st)
  {
    const Json* have = child(machine, "status");
    if (have == nullptr || have->value("phase", "") != st["status"].value("phase", "") ||
        have->value("conditions", Json::array()).size() != st["status"].value("conditions", Json::array()).size() ||
        [&] {
          for (const auto& c : st["status"]["conditions"]) {
            bool same = false;
            for (const auto& h : have->value("conditions", Json::array())) {
              same =
                same ||
                (h.value("type", "") == c.value("type", "") && h.value("status", "") == c.value("status", "") &&
                 h.value("reason", "") == c.value("reason", "") && h.value("message", "") == c.value("message", ""));
            }
            if (!same) {
              return true;
            }
          }
          return false;
        }()) {
      m_s.apply_status(st, k_manager);
    }
  }

  // A Machine that waits: for the control plane (phase Pending) or for its
  // infrastructure to boot (Provisioning), with the conditions Cluster API
  // reports meanwhile (v1beta1 ones with severity Info: progress, not failure).
  void
  machine_waiting(const Json& machine, const std::string& phase, const std::string& reason, const std::string& message)
  {
    Json st = status_stub(machine);
    const long long generation = machine["metadata"].value("generation", 1LL);
    st["status"] = { { "phase", phase }, { "observedGeneration", generation } };
    if (is_v1beta1(m_core)) {
      st["status"]["bootstrapReady"] = phase != "Pending";
      st["status"]["infrastructureReady"] = false;
      set_condition(st, "InfrastructureReady", "False", reason, message);
      set_condition(st, "Ready", "False", reason, message);
      for (auto& c : st["status"]["conditions"]) {
        c["severity"] = "Info";
      }
    } else {
      st["status"]["initialization"] = { { "bootstrapDataSecretCreated", phase != "Pending" },
                                         { "infrastructureProvisioned", false } };
      condition_v1beta2(st, "InfrastructureReady", false, reason, message, generation);
      condition_v1beta2(
        st, "NodeHealthy", false, "NodeDoesNotExist", "Waiting for a Node with spec.providerID to exist", generation);
      condition_v1beta2(st, "Ready", false, "NotReady", "* InfrastructureReady: " + message, generation);
    }
    machine_status(machine, st);
  }

  // A Machine whose infrastructure failed: the provider's reason and message
  // in its conditions and a Warning Event on it, once.
  void
  machine_failed(const Json& machine, const InfrastructureFailure& f)
  {
    Json st = status_stub(machine);
    const long long generation = machine["metadata"].value("generation", 1LL);
    st["status"] = { { "phase", "Provisioning" }, { "observedGeneration", generation } };
    if (is_v1beta1(m_core)) {
      st["status"]["bootstrapReady"] = true;
      st["status"]["infrastructureReady"] = false;
      condition_v1beta1(st, "InfrastructureReady", false, f.reason, f.message);
      condition_v1beta1(st, "Ready", false, f.reason, f.message);
    } else {
      st["status"]["initialization"] = { { "bootstrapDataSecretCreated", true },
                                         { "infrastructureProvisioned", false } };
      condition_v1beta2(st, "InfrastructureReady", false, f.reason, f.message, generation);
      condition_v1beta2(st, "Ready", false, "NotReady", "* InfrastructureReady: " + f.message, generation);
    }
    const Json* have = child(machine, "status");
    bool said = false;
    for (const auto& c : have == nullptr ? Json::array() : have->value("conditions", Json::array())) {
      said = said || (c.value("type", "") == "InfrastructureReady" && c.value("message", "") == f.message);
    }
    if (said) {
      return;
    }
    m_s.apply_status(st, k_manager);
    warning_event(m_s, machine, f.reason, f.message, "machine-controller");
  }

  // The Node of a Machine and status.nodeRef once it has booted; whether it
  // has one. may_boot: the control plane is there to join (workers).
  bool
  machine_node(const Json& machine, bool control_plane, bool may_boot)
  {
    const std::string name = string_at(machine["metadata"], "name");
    const Json* status = child(machine, "status");
    if (status != nullptr && status->contains("nodeRef") && m_nodes.get("v1", "Node", "", name)) {
      return true;
    }
    if (!may_boot) {
      machine_waiting(machine,
                      "Pending",
                      "WaitingForControlPlaneAvailable",
                      "waiting for the control plane to be initialized before joining");
      return false;
    }
    if (m_o.machine_failure) {
      if (const auto failure = m_o.machine_failure(machine)) {
        machine_failed(machine, *failure);
        return false;
      }
    }
    if (m_o.machine_boot.count() > 0) {
      const std::string uid = string_at(machine["metadata"], "uid");
      const auto now = std::chrono::steady_clock::now();
      std::chrono::steady_clock::time_point started;
      {
        const std::lock_guard lock(m_state->mutex);
        started = m_state->boot_started.try_emplace(uid, now).first->second;
      }
      if (now - started < m_o.machine_boot) {
        // The status write wakes the delayed Machine hook when the boot is over.
        machine_waiting(machine, "Provisioning", "WaitingForInfrastructure", "the instance is being launched");
        return false;
      }
    }
    auto node = m_nodes.get("v1", "Node", "", name);
    if (!node) {
      Json labels = { { "kubernetes.io/hostname", name }, { "kubernetes.io/os", "linux" } };
      if (control_plane) {
        labels["node-role.kubernetes.io/control-plane"] = "";
      }
      Json n = { { "apiVersion", "v1" },
                 { "kind", "Node" },
                 { "metadata", { { "name", name }, { "labels", labels } } } };
      node = m_nodes.create(n);
      // What the kubelet runs, under a manager of its own: the readiness
      // updates (fake-kubelet) may race with it and must not drop it.
      Json info = status_stub(*node);
      info["status"] = { { "nodeInfo", { { "kubeletVersion", machine["spec"].value("version", "v1.33.0") } } } };
      m_nodes.apply_status(info, "fake-kubelet-info");
      Json st = status_stub(*node);
      set_condition(st,
                    "Ready",
                    "False",
                    "KubeletNotReady",
                    "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                    "message:Network plugin returns error: cni plugin not initialized");
      if (!condition_true(*m_nodes.get("v1", "Node", "", name), "Ready")) {
        m_nodes.apply_status(st, "fake-kubelet");
      }
    }
    Json st = status_stub(machine);
    const long long generation = machine["metadata"].value("generation", 1LL);
    if (is_v1beta1(m_core)) {
      st["status"] = {
        { "phase", "Running" },
        { "bootstrapReady", true },
        { "infrastructureReady", true },
        { "observedGeneration", generation },
        { "nodeRef",
          { { "apiVersion", "v1" }, { "kind", "Node" }, { "name", name }, { "uid", (*node)["metadata"]["uid"] } } }
      };
      condition_v1beta1(st, "Ready", true);
      condition_v1beta1(st, "InfrastructureReady", true);
      condition_v1beta1(st, "BootstrapReady", true);
    } else {
      st["status"] = { { "phase", "Running" },
                       { "observedGeneration", generation },
                       { "initialization",
                         { { "bootstrapDataSecretCreated", true }, { "infrastructureProvisioned", true } } },
                       { "nodeRef", { { "name", name } } } };
      condition_v1beta2(st, "Available", true, "Available", "the machine is available", generation);
      condition_v1beta2(st, "Ready", true, "Ready", "the machine is ready", generation);
      condition_v1beta2(st, "NodeHealthy", true, "NodeHealthy", "the node is healthy", generation);
      condition_v1beta2(st, "InfrastructureReady", true, "Ready", "the infrastructure is ready", generation);
    }
    m_s.apply_status(st, k_manager);
    return true;
  }

  // Machines of a pool (control plane or machine deployment), as Cluster
  // API's rolling update treats them: with nothing out of date, machines are
  // created up to replicas (the control plane one at a time, each once every
  // earlier one has its node); with machines out of date and every machine
  // with its node, one surge machine is created while there are no more than
  // replicas, and once it has its node the oldest out-of-date machine goes
  // (with its Node): maxSurge 1, maxUnavailable 0. No template to clone: no
  // machine, and the pool says why.
  struct PoolLook
  {
    int total = 0;
    int with_node = 0;
    int up_to_date = 0;
    int outdated = 0;
    std::string min_version;
    std::string missing_template; // the reference that names nothing
  };

  PoolLook
  roll(const Json& cluster,
       const Json& new_owner,
       const std::vector<Json>& machines,
       long long replicas,
       const std::string& prefix,
       const Json& labels,
       const MachineSource& source,
       bool control_plane,
       bool may_boot,
       const std::function<bool(const Json&)>& outdated)
  {
    const std::string ns = string_at(cluster["metadata"], "namespace");
    PoolLook look;
    std::vector<Json> old;
    int healthy = 0;
    for (const auto& m : machines) {
      const bool has_node = machine_node(m, control_plane, may_boot);
      look.with_node += has_node ? 1 : 0;
      healthy += has_node && node_ready(m) ? 1 : 0;
      const std::string v = bare_version(m["spec"].value("version", ""));
      if (look.min_version.empty() || version_less(v, look.min_version)) {
        look.min_version = v;
      }
      if (outdated(m)) {
        old.push_back(m);
      } else {
        ++look.up_to_date;
      }
    }
    look.total = static_cast<int>(machines.size());
    look.outdated = static_cast<int>(old.size());
    // Cluster API waits for every machine's Node to be healthy before the
    // next step of a rollout.
    const bool settled = healthy == look.total;
    const auto create = [&](const std::string& seed) {
      if (!source.infra_template) {
        look.missing_template = source.infra_template_name;
        return;
      }
      for (int i = 0;; ++i) {
        const std::string name = prefix + "-" + name_suffix(seed + std::to_string(i));
        if (!m_s.get(m_core, "Machine", ns, name)) {
          const Json m = new_machine(cluster, new_owner, name, labels, source);
          look.with_node += machine_node(m, control_plane, may_boot) ? 1 : 0;
          ++look.total;
          ++look.up_to_date;
          return;
        }
      }
    };
    const std::string uid = string_at(new_owner["metadata"], "uid");
    if (old.empty()) {
      while (look.total < replicas && (!control_plane || look.with_node == look.total) &&
             look.missing_template.empty()) {
        create(uid);
      }
    } else if (settled && look.total <= replicas) {
      create(uid + source.version + source.infra_template_name + source.config_template_name);
    } else if (settled) {
      std::sort(old.begin(), old.end(), [](const Json& a, const Json& b) {
        return std::make_pair(string_at(a["metadata"], "creationTimestamp"), string_at(a["metadata"], "name")) <
               std::make_pair(string_at(b["metadata"], "creationTimestamp"), string_at(b["metadata"], "name"));
      });
      remove_machine(old.front());
      --look.total;
      --look.with_node;
      --look.outdated;
    }
    return look;
  }

  bool
  node_ready(const Json& machine)
  {
    const Json* status = child(machine, "status");
    std::string node = status != nullptr ? status->value("nodeRef", Json::object()).value("name", "") : "";
    const auto n = node.empty() ? std::nullopt : m_nodes.get("v1", "Node", "", node);
    return n && condition_true(*n, "Ready");
  }

  static bool
  version_less(const std::string& a, const std::string& b)
  {
    const auto parts = [](const std::string& v) {
      std::vector<int> out;
      std::size_t start = 0;
      while (start <= v.size()) {
        const auto dot = v.find('.', start);
        out.push_back(std::atoi(v.substr(start, dot - start).c_str()));
        if (dot == std::string::npos) {
          break;
        }
        start = dot + 1;
      }
      return out;
    };
    return parts(a) < parts(b);
  }

  // The object a Machine's reference names (its infrastructure machine or
  // KubeadmConfig), if it is there.
  std::optional<Json>
  machine_part(const Json& machine, const char* which)
  {
    const Json* spec = child(machine, "spec");
    if (spec == nullptr) {
      return std::nullopt;
    }
    const Json ref = std::string(which) == "bootstrap"
                       ? spec->value("bootstrap", Json::object()).value("configRef", Json())
                       : spec->value("infrastructureRef", Json());
    return resolve_ref(m_s, ref, string_at(machine["metadata"], "namespace"));
  }

  static std::string
  cloned_from(const std::optional<Json>& obj)
  {
    if (!obj) {
      return "";
    }
    const Json* a = child((*obj)["metadata"], "annotations");
    return a == nullptr ? "" : a->value(k_cloned_from_name, "");
  }

  // A control plane machine is out of date when its version or the template
  // its infrastructure machine was cloned from is not the one the
  // KubeadmControlPlane names now (a template edited in place changes
  // nothing: Cluster API compares the names).
  bool
  control_plane_outdated(const Json& machine, const MachineSource& source)
  {
    return bare_version(machine["spec"].value("version", "")) != bare_version(source.version) ||
           cloned_from(machine_part(machine, "infrastructure")) != source.infra_template_name;
  }

  // A Machine deleted as Cluster API deletes it: its Node drained and gone,
  // then its infrastructure machine, bootstrap config and data, itself.
  void
  remove_machine(const Json& machine)
  {
    const std::string ns = string_at(machine["metadata"], "namespace");
    const std::string name = string_at(machine["metadata"], "name");
    const auto quietly = [](const std::function<void()>& f) {
      try {
        f();
      } catch (const ApiError& e) {
        if (e.code() != 404) {
          throw;
        }
      }
    };
    const Json* status = child(machine, "status");
    std::string node = status != nullptr ? status->value("nodeRef", Json::object()).value("name", "") : "";
    node = node.empty() ? name : node;
    std::vector<Json> parts;
    for (const char* which : { "infrastructure", "bootstrap" }) {
      if (auto part = machine_part(machine, which)) {
        parts.push_back(std::move(*part));
      }
    }
    quietly([&] { m_s.remove(m_core, "Machine", ns, name); });
    quietly([&] { m_nodes.remove("v1", "Node", "", node); });
    for (const auto& part : parts) {
      quietly([&] {
        m_s.remove(string_at(part, "apiVersion"), string_at(part, "kind"), ns, string_at(part["metadata"], "name"));
      });
    }
    quietly([&] { m_s.remove("v1", "Secret", ns, name); });
  }

  std::vector<Json>
  machines_owned_by(const std::string& ns, const Json& owner)
  {
    std::vector<Json> mine;
    for (const auto& m : m_s.list(m_core, "Machine", ns)) {
      if (owned_by(m, owner) && !m["metadata"].contains("deletionTimestamp")) {
        mine.push_back(m);
      }
    }
    return mine;
  }

  // Writes status when anything in it, conditions included, would change.
  void
  write_status(const Json& live, const Json& st)
  {
    bool same = !status_differs(live, st);
    const Json* have = child(live, "status");
    if (same && have != nullptr) {
      const Json want = st["status"].value("conditions", Json::array());
      const Json got = have->value("conditions", Json::array());
      for (const auto& c : want) {
        bool found = false;
        for (const auto& h : got) {
          found = found ||
                  (h.value("type", "") == c.value("type", "") && h.value("status", "") == c.value("status", "") &&
                   h.value("reason", "") == c.value("reason", "") && h.value("message", "") == c.value("message", ""));
        }
        same = same && found;
      }
    }
    if (!same) {
      m_s.apply_status(st, k_manager);
    }
  }

  // The pool's rollout conditions: MachinesSpecUpToDate (v1beta1) or
  // RollingOut and UpToDate (v1beta2), and MachinesCreated False with a
  // Warning Event when the template it names is not there.
  void
  rollout_conditions(Json& st, const Json& owner, const PoolLook& look, const std::string& template_kind)
  {
    const long long generation = owner["metadata"].value("generation", 1LL);
    const bool rolling = look.outdated > 0;
    const std::string rolling_message =
      std::to_string(look.outdated) + " of " + std::to_string(look.total) + " machines have an outdated spec";
    const std::string missing = "failed to retrieve " + template_kind + " " +
                                string_at(owner["metadata"], "namespace") + "/" + look.missing_template + ": not found";
    if (is_v1beta1(string_at(owner, "apiVersion"))) {
      condition_v1beta1(
        st, "MachinesSpecUpToDate", !rolling, rolling ? "RollingUpdateInProgress" : "", rolling ? rolling_message : "");
      if (rolling) {
        for (auto& c : st["status"]["conditions"]) {
          if (c["type"] == "MachinesSpecUpToDate") {
            c["severity"] = "Warning";
          }
        }
      }
      condition_v1beta1(st,
                        "MachinesCreated",
                        look.missing_template.empty(),
                        look.missing_template.empty() ? "" : "InfrastructureTemplateCloningFailed",
                        look.missing_template.empty() ? "" : missing);
    } else {
      condition_v1beta2(st,
                        "RollingOut",
                        rolling,
                        rolling ? "RollingOut" : "NotRollingOut",
                        rolling ? rolling_message : "no machine has an outdated spec",
                        generation);
      condition_v1beta2(st,
                        "MachinesUpToDate",
                        !rolling,
                        rolling ? "NotUpToDate" : "UpToDate",
                        rolling ? rolling_message : "all machines are up to date",
                        generation);
      condition_v1beta2(st,
                        "MachinesCreated",
                        look.missing_template.empty(),
                        look.missing_template.empty() ? "Created" : "InfrastructureTemplateCloningFailed",
                        look.missing_template.empty() ? "machines are created" : missing,
                        generation);
    }
    if (!look.missing_template.empty()) {
      const Json* have = child(owner, "status");
      bool said = false;
      for (const auto& c : have == nullptr ? Json::array() : have->value("conditions", Json::array())) {
        said = said || (c.value("type", "") == "MachinesCreated" && c.value("message", "") == missing);
      }
      if (!said) {
        warning_event(m_s, owner, "InfrastructureTemplateCloningFailed", missing, "machine-controller");
      }
    }
  }

  // Adds the Cluster as an owner of a template a pool uses, as the
  // KubeadmControlPlane and MachineDeployment controllers do.
  void
  own_template(const Json& cluster, const std::optional<Json>& tmpl)
  {
    if (!tmpl || owned_by(*tmpl, cluster)) {
      return;
    }
    Json refs = (*tmpl)["metadata"].value("ownerReferences", Json::array());
    refs.push_back(owner_ref(cluster, false));
    m_s.merge_patch(string_at(*tmpl, "apiVersion"),
                    string_at(*tmpl, "kind"),
                    string_at((*tmpl)["metadata"], "namespace"),
                    string_at((*tmpl)["metadata"], "name"),
                    { { "metadata", { { "ownerReferences", refs } } } });
  }

  int
  control_plane(const Json& cluster, const Json& kcp)
  {
    const std::string cluster_name = string_at(cluster["metadata"], "name");
    const std::string ns = string_at(kcp["metadata"], "namespace");
    const std::string name = string_at(kcp["metadata"], "name");
    const long long replicas = kcp["spec"].value("replicas", 1LL);
    const std::string version = kcp["spec"].value("version", "");
    const Json labels = { { k_cluster_label, cluster_name },
                          { "cluster.x-k8s.io/control-plane", "" },
                          { "cluster.x-k8s.io/control-plane-name", name } };
    MachineSource source;
    source.version = version;
    std::string template_kind = "InfrastructureMachineTemplate";
    if (const Json* mt = child(kcp["spec"], "machineTemplate")) {
      const Json* mt_spec = child(*mt, "spec"); // v1beta2 moved the reference into spec
      const Json ref = (mt_spec != nullptr ? *mt_spec : *mt).value("infrastructureRef", Json());
      source.infra_template = resolve_ref(m_s, ref, ns);
      source.infra_template_name = ref.value("name", "");
      template_kind = ref.value("kind", template_kind);
    }
    source.kubeadm_config_spec = kcp["spec"].value("kubeadmConfigSpec", Json::object());
    own_template(cluster, source.infra_template);
    const PoolLook look =
      roll(cluster, kcp, machines_owned_by(ns, kcp), replicas, name, labels, source, true, true, [&](const Json& m) {
        return control_plane_outdated(m, source);
      });
    const int ready = look.with_node;
    const std::string api = string_at(kcp, "apiVersion");
    const long long generation = kcp["metadata"].value("generation", 1LL);
    // The lowest version of its machines, as Cluster API reports it.
    const std::string status_version = look.min_version.empty() ? version : "v" + look.min_version;
    Json st = status_stub(kcp);
    const std::string selector = std::string(k_cluster_label) + "=" + cluster_name + ",cluster.x-k8s.io/control-plane";
    if (is_v1beta1(api)) {
      st["status"] = { { "selector", selector },
                       { "replicas", look.total },
                       { "readyReplicas", ready },
                       { "updatedReplicas", look.up_to_date },
                       { "unavailableReplicas", std::max<long long>(0, replicas - ready) },
                       { "initialized", ready > 0 },
                       { "ready", ready > 0 },
                       { "version", status_version },
                       { "observedGeneration", generation } };
      condition_v1beta1(st, "Ready", ready == replicas);
      condition_v1beta1(st, "Available", ready > 0);
      condition_v1beta1(st, "MachinesReady", ready == look.total && ready >= replicas);
    } else {
      st["status"] = { { "selector", selector },
                       { "replicas", look.total },
                       { "readyReplicas", ready },
                       { "availableReplicas", ready },
                       { "upToDateReplicas", look.up_to_date },
                       { "initialization", { { "controlPlaneInitialized", ready > 0 } } },
                       { "version", status_version },
                       { "observedGeneration", generation } };
      condition_v1beta2(
        st, "Available", ready > 0, ready > 0 ? "Available" : "NotAvailable", "control plane machines", generation);
      condition_v1beta2(
        st, "Initialized", ready > 0, ready > 0 ? "Initialized" : "NotInitialized", "control plane", generation);
    }
    rollout_conditions(st, kcp, look, template_kind);
    write_status(kcp, st);
    return ready;
  }

  // Whether a MachineSet's template is the MachineDeployment's: the same
  // version and the same template references (by name).
  static bool
  same_template(const Json& a, const Json& b)
  {
    const auto ref_name = [](const Json& spec, const char* which) {
      const Json ref = std::string(which) == "bootstrap"
                         ? spec.value("bootstrap", Json::object()).value("configRef", Json::object())
                         : spec.value("infrastructureRef", Json::object());
      return ref.value("name", "");
    };
    return bare_version(a.value("version", "")) == bare_version(b.value("version", "")) &&
           ref_name(a, "infrastructure") == ref_name(b, "infrastructure") &&
           ref_name(a, "bootstrap") == ref_name(b, "bootstrap");
  }

  void
  machine_deployment(const Json& cluster, const Json& md, bool control_plane_initialized)
  {
    const std::string ns = string_at(cluster["metadata"], "namespace");
    const std::string cluster_name = string_at(cluster["metadata"], "name");
    const std::string name = string_at(md["metadata"], "name");
    const long long replicas = md["spec"].value("replicas", 1LL);
    const std::string ms_api = served_version(m_s, "cluster.x-k8s.io", "MachineSet");
    const Json tspec = md["spec"]["template"]["spec"];
    // Its MachineSets, as Cluster API finds them: by owner (a moved
    // MachineDeployment has a new uid, and its MachineSets moved with it);
    // the current one has the MachineDeployment's template, the others roll out.
    std::optional<Json> ms;
    std::vector<Json> old_sets;
    for (const auto& candidate : m_s.list(ms_api, "MachineSet", ns)) {
      if (!owned_by(candidate, md) || candidate["metadata"].contains("deletionTimestamp")) {
        continue;
      }
      if (!ms && same_template(candidate["spec"]["template"].value("spec", Json::object()), tspec)) {
        ms = candidate;
      } else {
        old_sets.push_back(candidate);
      }
    }
    const std::string uid = string_at(md["metadata"], "uid");
    const std::string ms_name =
      ms ? string_at((*ms)["metadata"], "name")
         : name + "-" + name_suffix(old_sets.empty() ? uid : uid + tspec.value("version", "") + tspec.dump());
    const Json labels = { { k_cluster_label, cluster_name },
                          { "cluster.x-k8s.io/deployment-name", name },
                          { "cluster.x-k8s.io/set-name", ms_name } };
    MachineSource source;
    source.version = tspec.value("version", "");
    const Json infra_ref = tspec.value("infrastructureRef", Json::object());
    source.infra_template = resolve_ref(m_s, infra_ref, ns);
    source.infra_template_name = infra_ref.value("name", "");
    const Json config_ref = tspec.value("bootstrap", Json::object()).value("configRef", Json::object());
    const auto config_template = resolve_ref(m_s, config_ref, ns);
    if (config_template) {
      source.kubeadm_config_spec =
        (*config_template)["spec"].value("template", Json::object()).value("spec", Json::object());
      source.config_template_name = config_ref.value("name", "");
      source.config_template_kind = config_ref.value("kind", "");
      source.config_template_group = group_of(string_at(*config_template, "apiVersion"));
    } else if (!config_ref.value("name", "").empty()) {
      source.infra_template.reset(); // nothing to clone the bootstrap config from either
      source.infra_template_name = config_ref.value("name", "");
    }
    own_template(cluster, source.infra_template);
    own_template(cluster, config_template);
    if (!ms) {
      ms = m_s.create({ { "apiVersion", ms_api },
                        { "kind", "MachineSet" },
                        { "metadata",
                          { { "name", ms_name },
                            { "namespace", ns },
                            { "labels", labels },
                            { "ownerReferences", Json::array({ owner_ref(md, true) }) } } },
                        { "spec",
                          { { "clusterName", cluster_name },
                            { "replicas", old_sets.empty() ? replicas : 0 },
                            { "selector", { { "matchLabels", labels } } },
                            { "template", { { "metadata", { { "labels", labels } } }, { "spec", tspec } } } } } });
    }
    std::vector<Json> machines = machines_owned_by(ns, *ms);
    for (const auto& set : old_sets) {
      for (auto& m : machines_owned_by(ns, set)) {
        machines.push_back(std::move(m));
      }
    }
    const PoolLook look = roll(
      cluster, *ms, machines, replicas, ms_name, labels, source, false, control_plane_initialized, [&](const Json& m) {
        return !owned_by(m, *ms);
      });
    // Each MachineSet's replicas follow its machines; an emptied old one goes.
    const long long current_count = static_cast<long long>(machines_owned_by(ns, *ms).size());
    const long long want = look.outdated == 0 ? replicas : current_count;
    if ((*ms)["spec"].value("replicas", 0LL) != want) {
      m_s.merge_patch(ms_api, "MachineSet", ns, ms_name, { { "spec", { { "replicas", want } } } });
    }
    for (const auto& set : old_sets) {
      const std::string set_name = string_at(set["metadata"], "name");
      const long long left = static_cast<long long>(machines_owned_by(ns, set).size());
      if (left == 0) {
        m_s.remove(ms_api, "MachineSet", ns, set_name);
      } else if (set["spec"].value("replicas", 0LL) != left) {
        m_s.merge_patch(ms_api, "MachineSet", ns, set_name, { { "spec", { { "replicas", left } } } });
      }
    }
    ms = m_s.get(ms_api, "MachineSet", ns, ms_name);
    const int ready = look.with_node;
    const std::string selector =
      std::string(k_cluster_label) + "=" + cluster_name + ",cluster.x-k8s.io/deployment-name=" + name;
    const Json ms_now = *ms;
    for (const Json* obj : { &ms_now, &md }) {
      const std::string api = string_at(*obj, "apiVersion");
      const long long generation = (*obj)["metadata"].value("generation", 1LL);
      const int mine = obj == &md ? ready : std::min<int>(ready, static_cast<int>(current_count));
      const long long desired = obj == &md ? replicas : (*obj)["spec"].value("replicas", 0LL);
      Json st = status_stub(*obj);
      st["status"] = { { "selector", selector },
                       { "replicas", obj == &md ? look.total : current_count },
                       { "readyReplicas", mine },
                       { "availableReplicas", mine },
                       { "observedGeneration", generation } };
      if (obj == &md) {
        st["status"]["phase"] = ready == replicas && look.outdated == 0 ? "Running" : "ScalingUp";
      }
      if (is_v1beta1(api)) {
        st["status"][obj == &md ? "updatedReplicas" : "fullyLabeledReplicas"] = obj == &md ? look.up_to_date : mine;
        if (obj == &md) {
          st["status"]["unavailableReplicas"] = std::max<long long>(0, replicas - ready);
        }
        condition_v1beta1(st, "Ready", mine >= desired);
        condition_v1beta1(st, "Available", mine >= desired);
      } else {
        st["status"]["upToDateReplicas"] = obj == &md ? look.up_to_date : mine;
        condition_v1beta2(
          st, "Available", mine >= desired, mine >= desired ? "Available" : "NotAvailable", "replicas", generation);
      }
      if (obj == &md) {
        rollout_conditions(st, md, look, infra_ref.value("kind", "InfrastructureMachineTemplate"));
      }
      write_status(*obj, st);
    }
  }

  void
  provisioned(const Json& cluster, const Json& kcp)
  {
    const std::string ns = string_at(cluster["metadata"], "namespace");
    const std::string name = string_at(cluster["metadata"], "name");
    const long long generation = cluster["metadata"].value("generation", 1LL);
    Json st = status_stub(cluster);
    if (is_v1beta1(m_core)) {
      st["status"] = { { "phase", "Provisioned" },
                       { "infrastructureReady", true },
                       { "controlPlaneReady", true },
                       { "observedGeneration", generation } };
      condition_v1beta1(st, "Ready", true);
      condition_v1beta1(st, "InfrastructureReady", true);
      condition_v1beta1(st, "ControlPlaneReady", true);
      condition_v1beta1(st, "ControlPlaneInitialized", true);
    } else {
      st["status"] = { { "phase", "Provisioned" },
                       { "observedGeneration", generation },
                       { "initialization",
                         { { "infrastructureProvisioned", true }, { "controlPlaneInitialized", true } } } };
      condition_v1beta2(st, "InfrastructureReady", true, "Ready", "the infrastructure is ready", generation);
      condition_v1beta2(
        st, "ControlPlaneInitialized", true, "Initialized", "the control plane is initialized", generation);
      condition_v1beta2(st, "Available", true, "Available", "the cluster is available", generation);
    }
    if (status_differs(cluster, st) || !condition_true(cluster, is_v1beta1(m_core) ? "Ready" : "Available")) {
      m_s.apply_status(st, k_manager);
    }
    const std::string secret = name + "-kubeconfig";
    if (!m_s.get("v1", "Secret", ns, secret)) {
      m_s.create({ { "apiVersion", "v1" },
                   { "kind", "Secret" },
                   { "type", "cluster.x-k8s.io/secret" },
                   { "metadata",
                     { { "name", secret },
                       { "namespace", ns },
                       { "labels", { { k_cluster_label, name } } },
                       // The KubeadmControlPlane writes it and owns it.
                       { "ownerReferences", Json::array({ owner_ref(kcp, true) }) } } },
                   { "data", { { "value", base64_encode(m_o.kubeconfig) } } } });
    }
  }

  KubeTestServer& m_s;
  const ClusterApiOptions& m_o;
  std::string m_core;
  KubeTestServer& m_nodes;
  PlayerState* m_state;
  Json m_infra_machine;
};

// The Cluster an object of the stack belongs to ("" when it cannot tell).
std::string
cluster_of(const Json& obj)
{
  if (string_at(obj, "kind") == "Cluster") {
    return string_at(obj["metadata"], "name");
  }
  if (const Json* labels = child(obj["metadata"], "labels"); labels != nullptr && labels->contains(k_cluster_label)) {
    return labels->value(k_cluster_label, "");
  }
  if (const Json* spec = child(obj, "spec"); spec != nullptr && spec->contains("clusterName")) {
    return spec->value("clusterName", "");
  }
  return "";
}

} // namespace

int
play_cluster_api(KubeTestServer& server, ClusterApiOptions options)
{
  auto shared = std::make_shared<const ClusterApiOptions>(std::move(options));
  auto state = std::make_shared<PlayerState>();
  // Every change to an object of the stack reconciles its Cluster (or every
  // Cluster of the namespace when the object does not say which).
  auto hook = [shared, state](KubeTestServer& s, const ObjectEvent& e) {
    const std::string core = served_version(s, "cluster.x-k8s.io", "Cluster");
    if (core.empty()) {
      return;
    }
    const Json& obj = *e.object;
    const std::string ns = string_at(obj["metadata"], "namespace");
    std::vector<std::string> names;
    if (const std::string name = cluster_of(obj); !name.empty()) {
      names.push_back(name);
    } else {
      for (const auto& c : s.list(core, "Cluster", ns)) {
        names.push_back(string_at(c["metadata"], "name"));
      }
    }
    const std::lock_guard one_at_a_time(state->reconciling);
    ClusterApiPlayer player(s, *shared, core, *state);
    for (const auto& name : names) {
      try {
        player.reconcile(ns, name);
      } catch (const ApiError& error) {
        // Conflicts and objects gone meanwhile: the next event retries.
        if (error.code() != 409 && error.code() != 404) {
          std::cerr << "fake Cluster API controller: " << ns << "/" << name << ": " << error.what() << "\n";
        }
      }
    }
  };
  const int id = server.on({ .group = "cluster.x-k8s.io", .kind = "", .delay = shared->delay }, hook);
  server.on({ .group = "controlplane.cluster.x-k8s.io", .kind = "", .delay = shared->delay }, hook);
  server.on({ .group = "infrastructure.cluster.x-k8s.io", .kind = "", .delay = shared->delay }, hook);
  if (shared->nodes != nullptr) {
    // A rollout goes on once the new machine's Node is Ready: Node changes
    // in the workload cluster reconcile every Cluster here.
    KubeTestServer* management = &server;
    shared->nodes->on({ .group = "", .kind = "Node", .deleted = false, .delay = shared->delay },
                      [shared, state, management](KubeTestServer&, const ObjectEvent&) {
                        const std::string core = served_version(*management, "cluster.x-k8s.io", "Cluster");
                        if (core.empty()) {
                          return;
                        }
                        const std::lock_guard one_at_a_time(state->reconciling);
                        ClusterApiPlayer player(*management, *shared, core, *state);
                        for (const auto& c : management->list(core, "Cluster")) {
                          try {
                            player.reconcile(string_at(c["metadata"], "namespace"), string_at(c["metadata"], "name"));
                          } catch (const ApiError&) {
                            // the next event retries
                          }
                        }
                      });
  }
  if (shared->machine_boot.count() > 0) {
    // A Machine that started to boot is looked at again when its boot is over.
    server.on({ .group = "cluster.x-k8s.io", .kind = "Machine", .delay = shared->machine_boot + shared->delay }, hook);
  }
  server.on({ .group = "cluster.x-k8s.io",
              .kind = "Cluster",
              .added = false,
              .modified = true,
              .deleted = false,
              .delay = shared->deletion_delay },
            [shared, state](KubeTestServer& s, const ObjectEvent& e) {
              const std::string core = served_version(s, "cluster.x-k8s.io", "Cluster");
              const Json& meta = (*e.object)["metadata"];
              if (core.empty() || !meta.contains("deletionTimestamp")) {
                return;
              }
              if (const Json* a = child(meta, "annotations");
                  a != nullptr && a->contains("clusterctl.cluster.x-k8s.io/delete-for-move")) {
                return;
              }
              const std::lock_guard one_at_a_time(state->reconciling);
              ClusterApiPlayer player(s, *shared, core, *state);
              try {
                player.finish_deletion(string_at(meta, "namespace"), string_at(meta, "name"));
              } catch (const ApiError&) {
              }
            });
  return id;
}

int
play_node_readiness(KubeTestServer& server, const NodeReadinessOptions& options)
{
  auto hook = [options](KubeTestServer& s, const ObjectEvent&) {
    bool ready = true;
    for (const auto& key : options.deployments) {
      const auto slash = key.find('/');
      ready = ready && deployment_available(s, key.substr(0, slash), key.substr(slash + 1));
    }
    bool any = options.any_of.empty();
    for (const auto& entry : options.any_of) {
      const auto colon = entry.find(':');
      const auto slash = entry.find('/', colon);
      const std::string ns = entry.substr(colon + 1, slash - colon - 1);
      const std::string name = entry.substr(slash + 1);
      if (entry.compare(0, colon, "deployment") == 0) {
        any = any || deployment_available(s, ns, name);
      } else {
        const auto ds = s.get("apps/v1", "DaemonSet", ns, name);
        any = any || (ds && daemonset_rolled_out(*ds));
      }
    }
    ready = ready && any;
    if (ready) {
      reconcile_nodes(s, options.daemonsets);
    } else {
      reconcile_nodes(s, { "ocne-never/never" });
    }
  };
  const int id = server.on({ .group = "apps", .kind = "DaemonSet" }, hook);
  server.on({ .group = "apps", .kind = "Deployment" }, hook);
  server.on({ .group = "", .kind = "Node", .deleted = false }, hook);
  hook(server, {});
  return id;
}

} // namespace ocne::test::kube
