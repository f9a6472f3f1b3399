#include "tests/e2e/diag/diag_world.hpp"

#include "tests/support/shared_dir.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ocne::test {

using nlohmann::json;

void
DiagCliTest::SetUp()
{
  kube::ServerOptions o;
  o.kubeconfig_path = kubeconfig();
  m_server = std::make_unique<kube::KubeTestServer>(o);
  m_server->start();
  m_hosts = std::make_unique<FakeNodes>(*m_server);
  // The kubelet: ocne's pods run when their node is Ready.
  m_server->on({ .kind = "Pod", .modified = false }, [](kube::KubeTestServer& s, const kube::ObjectEvent& e) {
    const auto& meta = (*e.object)["metadata"];
    if (meta.value("namespace", "") != "ocne-system") {
      return;
    }
    const auto node = s.get("v1", "Node", "", (*e.object)["spec"].value("nodeName", ""));
    bool ready = false;
    if (node && node->contains("status")) {
      for (const auto& c : (*node)["status"].value("conditions", json::array())) {
        ready = ready || (c.value("type", "") == "Ready" && c.value("status", "") == "True");
      }
    }
    if (ready) {
      s.merge_patch("v1",
                    "Pod",
                    meta.value("namespace", ""),
                    meta.value("name", ""),
                    { { "status", { { "phase", "Running" } } } },
                    "status");
    }
  });
  m_server->on_exec([this](const kube::ExecCall& call, kube::ExecIo& io) { return m_hosts->respond(call, io); });
}

void
DiagCliTest::TearDown()
{
  m_hosts->stop();
  m_server.reset();
  m_hosts.reset();
}

OcneRun
DiagCliTest::ocne(std::vector<std::string> args, const std::string& stdin_data)
{
  // Before "--": what follows it is the remote command.
  auto at = std::find(args.begin(), args.end(), "--");
  at = args.insert(at, "-k");
  args.insert(at + 1, kubeconfig().string());
  return run_ocne(args, dir(), m_env, stdin_data);
}

json
DiagCliTest::add_node(const NodeSpec& spec)
{
  json labels = { { "kubernetes.io/hostname", spec.name }, { "kubernetes.io/os", "linux" } };
  if (spec.control_plane) {
    labels["node-role.kubernetes.io/control-plane"] = "";
  }
  json node = { { "apiVersion", "v1" },
                { "kind", "Node" },
                { "metadata", { { "name", spec.name }, { "labels", labels } } } };
  if (spec.update_available) {
    node["metadata"]["annotations"] = { { "ocne.oracle.com/update-available", "true" } };
  }
  if (spec.cordoned) {
    node["spec"] = { { "unschedulable", true } };
  }
  server().create(node);
  const auto boot_id = hosts().add(spec.name).boot_id;
  json conditions = json::array();
  for (const char* type : { "MemoryPressure", "DiskPressure", "PIDPressure" }) {
    bool overridden = false;
    for (const auto& [t, s] : spec.extra_conditions) {
      overridden = overridden || t == type;
    }
    if (!overridden) {
      conditions.push_back({ { "type", type },
                             { "status", "False" },
                             { "reason", std::string("KubeletHas") + "Sufficient" },
                             { "message", "ok" },
                             { "lastHeartbeatTime", "2026-01-01T00:00:00Z" },
                             { "lastTransitionTime", "2026-01-01T00:00:00Z" } });
    }
  }
  for (const auto& [type, status] : spec.extra_conditions) {
    conditions.push_back({ { "type", type },
                           { "status", status },
                           { "reason", type + "Condition" },
                           { "message", "kubelet has " + type },
                           { "lastHeartbeatTime", "2026-01-01T00:00:00Z" },
                           { "lastTransitionTime", "2026-01-01T00:00:00Z" } });
  }
  conditions.push_back(
    { { "type", "Ready" },
      { "status", spec.ready ? "True" : "False" },
      { "reason", spec.ready ? "KubeletReady" : "KubeletNotReady" },
      { "message",
        spec.ready ? "kubelet is posting ready status" : "container runtime network not ready: NetworkReady=false" },
      { "lastHeartbeatTime", "2026-01-01T00:00:00Z" },
      { "lastTransitionTime", "2026-01-01T00:00:00Z" } });
  json addresses = json::array({ { { "type", "Hostname" }, { "address", spec.name } } });
  if (!spec.internal_ip.empty()) {
    addresses.push_back({ { "type", "InternalIP" }, { "address", spec.internal_ip } });
  }
  json status = { { "apiVersion", "v1" },
                  { "kind", "Node" },
                  { "metadata", { { "name", spec.name } } },
                  { "status",
                    { { "conditions", conditions },
                      { "addresses", addresses },
                      { "nodeInfo",
                        { { "kubeletVersion", spec.kubelet_version },
                          { "kubeProxyVersion", spec.kubelet_version },
                          { "osImage", "Oracle Linux Server 8.10" },
                          { "kernelVersion", "5.15.0-300.163.18.el8uek.x86_64" },
                          { "containerRuntimeVersion", "cri-o://1.32.4" },
                          { "operatingSystem", "linux" },
                          { "architecture", "amd64" },
                          { "machineID", "m" },
                          { "systemUUID", "s" },
                          { "bootID", boot_id } } } } } };
  return server().apply_status(status, "kubelet");
}

void
DiagCliTest::add_namespace(const std::string& name)
{
  server().create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", name } } } });
}

json
DiagCliTest::add_pod(const std::string& ns,
                     const std::string& name,
                     const std::string& node,
                     const std::vector<std::string>& containers)
{
  json specs = json::array();
  json statuses = json::array();
  for (const auto& c : containers) {
    specs.push_back({ { "name", c }, { "image", "registry.example/" + c + ":1" } });
    statuses.push_back({ { "name", c },
                         { "image", "registry.example/" + c + ":1" },
                         { "imageID", "" },
                         { "ready", true },
                         { "started", true },
                         { "restartCount", 0 },
                         { "state", { { "running", { { "startedAt", "2026-01-01T00:00:00Z" } } } } } });
  }
  server().create({ { "apiVersion", "v1" },
                    { "kind", "Pod" },
                    { "metadata", { { "name", name }, { "namespace", ns } } },
                    { "spec", { { "nodeName", node }, { "containers", specs } } } });
  json conditions = json::array({ { { "type", "Ready" }, { "status", "True" } },
                                  { { "type", "ContainersReady" }, { "status", "True" } },
                                  { { "type", "PodScheduled" }, { "status", "True" } } });
  return server().merge_patch("v1",
                              "Pod",
                              ns,
                              name,
                              { { "status",
                                  { { "phase", "Running" },
                                    { "podIP", "10.244.1.7" },
                                    { "hostIP", "192.168.122.11" },
                                    { "conditions", conditions },
                                    { "containerStatuses", statuses } } } },
                              "status");
}

void
DiagCliTest::patch_pod_status(const std::string& ns, const std::string& name, const json& status)
{
  server().merge_patch("v1", "Pod", ns, name, { { "status", status } }, "status");
}

void
DiagCliTest::add_event(const std::string& ns,
                       const std::string& name,
                       const std::string& type,
                       const std::string& reason,
                       const std::string& message,
                       const json& involved)
{
  server().create({ { "apiVersion", "v1" },
                    { "kind", "Event" },
                    { "metadata", { { "name", name }, { "namespace", ns } } },
                    { "type", type },
                    { "reason", reason },
                    { "message", message },
                    { "involvedObject", involved },
                    { "count", 3 },
                    { "firstTimestamp", "2026-01-01T00:00:00Z" },
                    { "lastTimestamp", "2026-01-01T00:05:00Z" } });
}

void
DiagCliTest::load_capi_crds()
{
  server().load_crds(shared_path("crds/capi"));
}

namespace {

json
with_status(json object, const json& status)
{
  object.erase("spec");
  object["status"] = status;
  return object;
}

} // namespace

void
DiagCliTest::add_capi_cluster(const CapiSpec& spec)
{
  add_namespace("demo");
  const auto cluster = json::parse(R"({"apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
    "metadata": {"name": "demo", "namespace": "demo"},
    "spec": {"clusterNetwork": {"pods": {"cidrBlocks": ["10.244.0.0/16"]}},
      "controlPlaneRef": {"apiGroup": "controlplane.cluster.x-k8s.io", "kind": "KubeadmControlPlane", "name": "demo-control-plane"}}})");
  server().create(cluster);
  auto status = with_status(cluster, { { "phase", "Provisioned" } });
  kube::set_condition(status, "Available", "True", "Available", "available");
  server().apply_status(status, "capi");

  const auto kcp = json::parse(R"({"apiVersion": "controlplane.cluster.x-k8s.io/v1beta2", "kind": "KubeadmControlPlane",
    "metadata": {"name": "demo-control-plane", "namespace": "demo"},
    "spec": {"replicas": 3, "version": "v1.32.4",
      "machineTemplate": {"spec": {"infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io",
        "kind": "OCIMachineTemplate", "name": "cp"}}}}})");
  server().create(kcp);
  status = with_status(
    kcp, { { "replicas", 3 }, { "readyReplicas", spec.kcp_ready }, { "upToDateReplicas", spec.kcp_up_to_date } });
  kube::set_condition(status, "Available", "True", "Available", "available");
  server().apply_status(status, "capi");

  const auto md = json::parse(R"({"apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "MachineDeployment",
    "metadata": {"name": "demo-md-0", "namespace": "demo"},
    "spec": {"clusterName": "demo", "replicas": 2, "selector": {"matchLabels": {"pool": "md-0"}},
      "template": {"metadata": {"labels": {"pool": "md-0"}}, "spec": {"clusterName": "demo", "version": "v1.32.4",
        "bootstrap": {"configRef": {"apiGroup": "bootstrap.cluster.x-k8s.io", "kind": "KubeadmConfigTemplate", "name": "w"}},
        "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "OCIMachineTemplate", "name": "w"}}}}})");
  server().create(md);
  status = with_status(
    md, { { "replicas", 2 }, { "readyReplicas", spec.md_ready }, { "upToDateReplicas", spec.md_up_to_date } });
  if (spec.md_ready < 2) {
    kube::set_condition(
      status, "Available", "False", "NotAvailable", fmt::format("{} of 2 machines available", spec.md_ready));
  } else {
    kube::set_condition(status, "Available", "True", "Available", "available");
  }
  server().apply_status(status, "capi");

  std::vector<std::string> machines = { "demo-cp-1", "demo-cp-2", "demo-cp-3", "demo-md-0-1", "demo-md-0-2" };
  for (const auto& name : machines) {
    auto machine = json::parse(R"({"apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Machine",
      "metadata": {"namespace": "demo"},
      "spec": {"clusterName": "demo", "version": "v1.32.4",
        "bootstrap": {"dataSecretName": "x"},
        "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "OCIMachine", "name": "m"}}})");
    machine["metadata"]["name"] = name;
    server().create(machine);
    const bool failing =
      std::find(spec.failing_machines.begin(), spec.failing_machines.end(), name) != spec.failing_machines.end();
    status = with_status(machine, { { "phase", failing ? "Provisioning" : "Running" } });
    if (failing) {
      kube::set_condition(status, "Ready", "False", "NotReady", "instance launch failed: out of host capacity");
    } else {
      kube::set_condition(status, "Ready", "True", "Ready", "ready");
    }
    server().apply_status(status, "capi");
  }
}

} // namespace ocne::test
