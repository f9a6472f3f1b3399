#include "tests/e2e/upgrade/node_update_world.hpp"

#include "tests/servers/kube/pod_controllers.hpp"

namespace ocne::test {

using nlohmann::json;

namespace {

std::string
ready_of(const json& node)
{
  for (const auto& c : node["status"].value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") {
      return c.value("status", "");
    }
  }
  return "";
}

bool
unschedulable(const json& node)
{
  return node.contains("spec") && node["spec"].value("unschedulable", false);
}

} // namespace

void
NodeUpdateWorld::SetUp()
{
  DiagCliTest::SetUp();
  hosts().set_reboot_timing(
    { .shutdown_after = std::chrono::milliseconds(300), .down_for = std::chrono::milliseconds(300) });
  set_ocne_env("OCNE_NODE_UPDATE_POLL_MS", "50");
  set_ocne_env("OCNE_NODE_UPDATE_READY_TIMEOUT", "60");
  kube::play_disruption_controller(server());
  kube::play_replicaset_pods(server(), { .ready_after = std::chrono::milliseconds(300) });
  server().on({ .kind = "Node" }, [this](kube::KubeTestServer& s, const kube::ObjectEvent& e) {
    if (!e.old_object || unschedulable(*e.old_object) == unschedulable(*e.object)) {
      return;
    }
    const auto& n = *e.object;
    bool static_ready = true;
    for (const auto& pod : s.list("v1", "Pod", "kube-system")) {
      if (pod["metadata"].value("annotations", json::object()).contains("kubernetes.io/config.mirror")) {
        static_ready = static_ready && ready_of(pod) == "True";
      }
    }
    const std::lock_guard lock(m_mutex);
    m_flips.push_back({ n["metadata"].value("name", ""),
                        unschedulable(n),
                        n["status"]["nodeInfo"].value("bootID", ""),
                        ready_of(n),
                        n["status"]["nodeInfo"].value("kubeletVersion", ""),
                        static_ready });
  });
}

void
NodeUpdateWorld::add_staged_node(const std::string& name, bool control_plane, bool announced)
{
  add_node({ .name = name,
             .control_plane = control_plane,
             .update_available = announced,
             .kubelet_version = "v1.33.5+1.el8" });
  auto& h = hosts().host(name);
  h.files["/etc/ocne/update.yaml"] =
    "registry: container-registry.oracle.com/olcne/ock-ostree\ntag: 1.34\ntransport: ostree-unverified-registry\n";
  h.modes["/etc/ocne/update.yaml"] = "0400";
  h.os_images = { { "1.34", k_new_commit } };
  h.staged_commit = k_new_commit;
  h.kubelet_of_commit = { { k_new_commit, k_new_kubelet }, { k_old_commit, "v1.33.5+1.el8" } };
}

void
NodeUpdateWorld::mark_updated(const std::string& name)
{
  hosts().host(name).booted_commit = k_new_commit;
  server().merge_patch("v1",
                       "Node",
                       "",
                       name,
                       { { "metadata", { { "annotations", { { "ocne.oracle.com/update-available", nullptr } } } } } });
  server().merge_patch(
    "v1", "Node", "", name, { { "status", { { "nodeInfo", { { "kubeletVersion", k_new_kubelet } } } } } }, "status");
}

void
NodeUpdateWorld::add_kube_proxy(const std::string& image)
{
  // Records each change of the image.
  server().on({ .group = "apps", .kind = "DaemonSet" }, [this](kube::KubeTestServer&, const kube::ObjectEvent& e) {
    const auto image_of = [](const json& d) {
      return d["spec"]["template"]["spec"]["containers"][0].value("image", "");
    };
    if (e.old_object && image_of(*e.old_object) != image_of(*e.object)) {
      const std::lock_guard lock(m_mutex);
      m_flips.push_back({ "kube-proxy", false, "", "", image_of(*e.object) });
    }
  });
  // The DaemonSet controller, taking its time as the real one does: a new
  // template is observed with no pod updated, then one node's pod is
  // replaced per step; the end of the rollout is recorded among the flips
  // (node "kube-proxy rolled out").
  server().on({ .group = "apps", .kind = "DaemonSet", .delay = std::chrono::milliseconds(50) },
              [this](kube::KubeTestServer& s, const kube::ObjectEvent& e) {
                const auto live = s.get("apps/v1", "DaemonSet", "kube-system", "kube-proxy");
                if (!live || e.object->value("kind", "") != "DaemonSet") {
                  return;
                }
                const json& ds = *live;
                const long generation = ds["metadata"].value("generation", 0L);
                const json status = ds.value("status", json::object());
                const long nodes = static_cast<long>(s.list("v1", "Node", "").size());
                long updated = status.value("updatedNumberScheduled", 0L);
                if (status.value("observedGeneration", 0L) != generation) {
                  updated = status.contains("observedGeneration") ? 0 : nodes;
                } else if (updated < nodes) {
                  ++updated;
                } else {
                  return;
                }
                s.merge_patch("apps/v1",
                              "DaemonSet",
                              "kube-system",
                              "kube-proxy",
                              { { "status",
                                  { { "observedGeneration", generation },
                                    { "desiredNumberScheduled", nodes },
                                    { "currentNumberScheduled", nodes },
                                    { "updatedNumberScheduled", updated },
                                    { "numberAvailable", updated == nodes ? nodes : nodes - 1 },
                                    { "numberReady", updated == nodes ? nodes : nodes - 1 },
                                    { "numberMisscheduled", 0 } } } },
                              "status");
                if (updated == nodes && status.contains("observedGeneration")) {
                  const std::lock_guard lock(m_mutex);
                  m_flips.push_back({ "kube-proxy rolled out", false, "", "", "" });
                }
              });
  const json labels = { { "k8s-app", "kube-proxy" } };
  server().create(
    { { "apiVersion", "apps/v1" },
      { "kind", "DaemonSet" },
      { "metadata", { { "name", "kube-proxy" }, { "namespace", "kube-system" } } },
      { "spec",
        { { "selector", { { "matchLabels", labels } } },
          { "template",
            { { "metadata", { { "labels", labels } } },
              { "spec", { { "containers", { { { "name", "kube-proxy" }, { "image", image } } } } } } } } } } });
}

void
NodeUpdateWorld::add_static_pods(const std::string& node_name)
{
  const auto owner = node(node_name);
  for (const char* component : { "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler" }) {
    const auto name = std::string(component) + "-" + node_name;
    server().create(
      { { "apiVersion", "v1" },
        { "kind", "Pod" },
        { "metadata",
          { { "name", name },
            { "namespace", "kube-system" },
            { "annotations", { { "kubernetes.io/config.mirror", "0123456789abcdef" } } },
            { "ownerReferences",
              { { { "apiVersion", "v1" },
                  { "kind", "Node" },
                  { "name", node_name },
                  { "uid", owner["metadata"].value("uid", "") },
                  { "controller", true } } } } } },
        { "spec",
          { { "nodeName", node_name },
            { "containers",
              { { { "name", component }, { "image", std::string("registry.example/") + component } } } } } } });
    server().merge_patch("v1",
                         "Pod",
                         "kube-system",
                         name,
                         { { "status",
                             { { "phase", "Running" },
                               { "conditions",
                                 { { { "type", "Ready" }, { "status", "True" } },
                                   { { "type", "ContainersReady" }, { "status", "True" } } } } } } },
                         "status");
  }
}

json
NodeUpdateWorld::node(const std::string& name)
{
  return *server().get("v1", "Node", "", name);
}

std::vector<CordonFlip>
NodeUpdateWorld::flips()
{
  const std::lock_guard lock(m_mutex);
  return m_flips;
}

int
NodeUpdateWorld::count_requests(const std::string& method, const std::string& target_part, int status)
{
  int n = 0;
  for (const auto& r : server().requests()) {
    if (r.method == method && r.target.find(target_part) != std::string::npos && (status == 0 || r.status == status)) {
      ++n;
    }
  }
  return n;
}

} // namespace ocne::test
