#include "pkg/diag/backup.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/sha256.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/capi_resources.hpp"
#include "pkg/diag/info.hpp"
#include "pkg/diag/node_pod.hpp"
#include "pkg/k8s/exec.hpp"
#include "pkg/k8s/object.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace ocne::diag {

using nlohmann::json;

namespace {

// A run's node pod lives at most this long; a snapshot file older than
// k_sweep_minutes can no longer be read by any run, so the next run on the
// node removes it.
constexpr int k_node_pod_deadline_seconds = 1800;
constexpr const char* k_sweep_minutes = "+60";
static_assert(k_node_pod_deadline_seconds < 60 * 60);

// kubeadm's stacked etcd: the local member, with the certificates kubeadm
// mounts into the etcd pod. etcdctl 3.4+ speaks the v3 API by default, so
// no ETCDCTL_API (an environment variable exec could not set anyway).
const std::vector<std::string> k_etcdctl = { "etcdctl",
                                             "--endpoints=https://127.0.0.1:2379",
                                             "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
                                             "--cert=/etc/kubernetes/pki/etcd/server.crt",
                                             "--key=/etc/kubernetes/pki/etcd/server.key" };

std::vector<std::string>
etcdctl(std::initializer_list<std::string> args)
{
  auto cmd = k_etcdctl;
  cmd.insert(cmd.end(), args.begin(), args.end());
  return cmd;
}

std::vector<std::string>
on_host(std::initializer_list<std::string> args)
{
  std::vector<std::string> cmd = { "chroot", "/hostroot" };
  cmd.insert(cmd.end(), args.begin(), args.end());
  return cmd;
}

std::string
messages_of(const std::string& err)
{
  std::string messages;
  for (const auto& line : str::split(err, '\n')) {
    if (!str::trim(line).empty()) {
      messages += (messages.empty() ? "" : "; ") + std::string(str::trim(line));
    }
  }
  return messages.empty() ? "no message" : messages;
}

// The etcd pods that can take a snapshot: on a Ready control plane node,
// themselves Ready; by name.
Result<std::vector<json>>
usable_etcd_pods(k8s::Client& client)
{
  OCNE_TRY_ASSIGN(auto pods,
                  client.list(k8s::GroupVersionKind{ "", "v1", "Pod" },
                              { .namespace_ = "kube-system", .label_selector = "component=etcd,tier=control-plane" }));
  OCNE_TRY_ASSIGN(auto nodes, client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
  std::vector<std::string> why;
  std::sort(pods.items.begin(), pods.items.end(), [](const json& a, const json& b) {
    return k8s::string_at(a, "/metadata/name") < k8s::string_at(b, "/metadata/name");
  });
  std::vector<json> usable;
  for (const auto& pod : pods.items) {
    const auto name = k8s::string_at(pod, "/metadata/name");
    const auto node_name = k8s::string_at(pod, "/spec/nodeName");
    bool node_ready = false;
    for (const auto& n : nodes.items) {
      if (k8s::string_at(n, "/metadata/name") == node_name) {
        node_ready = node_info(n).ready;
      }
    }
    if (!node_ready) {
      why.push_back(fmt::format("{}: node {} is not Ready", name, node_name));
      continue;
    }
    if (k8s::string_at(pod, "/status/phase") != "Running" || condition_status(pod, "Ready") != "True") {
      why.push_back(fmt::format("{}: not Ready", name));
      continue;
    }
    usable.push_back(pod);
  }
  if (pods.items.empty()) {
    return make_error(ErrorKind::not_found,
                      "no etcd pod in kube-system (label component=etcd,tier=control-plane): is this a kubeadm cluster "
                      "with stacked etcd?");
  }
  if (usable.empty()) {
    return make_error(ErrorKind::unavailable, "no etcd pod can take a snapshot: {}", str::join(why, "; "));
  }
  return usable;
}

struct MemberStatus
{
  bool leads = false;
  std::int64_t revision = 0;
};

// `etcdctl endpoint status -w json` of the pod's local member: [{"Endpoint":
// ..., "Status": {"header": {"member_id": N, "revision": R, ...}, "leader":
// N, ...}}].
Result<MemberStatus>
member_status(k8s::Client& client, const std::string& pod)
{
  k8s::ExecRequest request;
  request.namespace_ = "kube-system";
  request.pod = pod;
  request.container = "etcd";
  request.command = etcdctl({ "endpoint", "status", "-w", "json" });
  OCNE_TRY_ASSIGN(auto r, k8s::exec_collect(client.access(), request));
  if (r.exit_code != 0) {
    return make_error(
      ErrorKind::unavailable, "etcdctl endpoint status exited with {}: {}", r.exit_code, messages_of(r.err));
  }
  try {
    const auto doc = json::parse(r.out);
    const auto& status = doc.at(0).at("Status");
    const auto& header = status.at("header");
    return MemberStatus{ status.at("leader").get<std::uint64_t>() == header.at("member_id").get<std::uint64_t>(),
                         header.at("revision").get<std::int64_t>() };
  } catch (const std::exception&) {
    return make_error(ErrorKind::internal, "etcdctl endpoint status did not answer the expected JSON");
  }
}

// The leader's pod (its snapshot is the newest); when no member can say,
// the first usable one.
Result<json>
pick_etcd_pod(k8s::Client& client)
{
  OCNE_TRY_ASSIGN(auto usable, usable_etcd_pods(client));
  for (const auto& pod : usable) {
    auto status = member_status(client, k8s::string_at(pod, "/metadata/name"));
    if (!status) {
      if (status.error().kind() == ErrorKind::cancelled) {
        return make_error(status.error());
      }
      log::warn("backup: {}: {}", k8s::string_at(pod, "/metadata/name"), status.error().message());
      continue;
    }
    if (status->leads) {
      return pod;
    }
  }
  log::warn("backup: no etcd member says it leads; using {}", k8s::string_at(usable.front(), "/metadata/name"));
  return usable.front();
}

std::string
unique_name()
{
  std::random_device rd;
  std::string name = k_snapshot_prefix;
  for (int i = 0; i < 16; ++i) {
    name += "0123456789abcdef"[rd() % 16];
  }
  return name + ".db";
}

// Runs a command in the node pod to completion.
Result<k8s::ExecResult>
run_on_node(k8s::Client& client, const NodePod& pod, std::vector<std::string> command)
{
  k8s::ExecRequest request;
  request.namespace_ = k_ocne_namespace;
  request.pod = pod.name();
  request.container = "node";
  request.command = std::move(command);
  return k8s::exec_collect(client.access(), request);
}

// Removes the snapshot (and the .part file etcdctl writes first) from the
// node when it goes away, however the run ends; after Ctrl-C too (the
// transport refuses new requests while an interrupt is pending, so it is
// lifted for the removal). Declared after the node pod, so it runs first.
class SnapshotOnNode
{
public:
  SnapshotOnNode(k8s::Client& client, const NodePod& pod, std::string path)
    : m_client(client), m_pod(pod), m_path(std::move(path))
  {
  }
  SnapshotOnNode(const SnapshotOnNode&) = delete;
  SnapshotOnNode& operator=(const SnapshotOnNode&) = delete;
  ~SnapshotOnNode()
  {
    const bool was_interrupted = interrupted();
    if (was_interrupted) {
      reset_interrupt();
    }
    auto r = run_on_node(m_client, m_pod, on_host({ "rm", "-f", m_path, m_path + ".part" }));
    if (!r || r->exit_code != 0) {
      log::warn("could not remove the snapshot {} on node {}: {} (the next backup on that node removes it once it is "
                "older than an hour)",
                m_path,
                m_pod.spec().node,
                r ? messages_of(r->err) : r.error().message());
    }
    if (was_interrupted) {
      request_interrupt();
    }
  }
  const std::string&
  path() const
  {
    return m_path;
  }

private:
  k8s::Client& m_client;
  const NodePod& m_pod;
  std::string m_path;
};

// Snapshots that killed runs left in the node's snapshot folder, old enough
// that no run can still be reading them.
void
sweep_snapshots(k8s::Client& client, const NodePod& pod, const std::string& dir)
{
  auto r = run_on_node(client,
                       pod,
                       on_host({ "find",
                                 dir,
                                 "-maxdepth",
                                 "1",
                                 "-type",
                                 "f",
                                 "-name",
                                 std::string(k_snapshot_prefix) + "*",
                                 "-mmin",
                                 k_sweep_minutes,
                                 "-print",
                                 "-delete" }));
  if (!r || r->exit_code != 0) {
    log::warn("backup: could not look for old snapshots in {} on node {}: {}",
              dir,
              pod.spec().node,
              r ? messages_of(r->err) : r.error().message());
    return;
  }
  for (const auto& line : str::split(r->out, '\n')) {
    if (!str::trim(line).empty()) {
      log::info("Removed {} on node {}, left by an earlier run", str::trim(line), pod.spec().node);
    }
  }
}

// The SHA-256 the node computes of the file.
Result<std::string>
sha256_on_node(k8s::Client& client, const NodePod& pod, const std::string& path)
{
  OCNE_TRY_ASSIGN(auto r, run_on_node(client, pod, on_host({ "sha256sum", path })));
  const auto sum = str::trim(r.out).substr(0, 64);
  if (r.exit_code != 0 || sum.size() != 64 || sum.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return make_error(ErrorKind::unavailable,
                      "sha256sum {} on node {} failed (exit code {}): {}",
                      path,
                      pod.spec().node,
                      r.exit_code,
                      messages_of(r.err));
  }
  return std::string(sum);
}

std::string
joined_path(const std::string& dir, const std::string& rest)
{
  if (rest.empty()) {
    return dir;
  }
  return (str::ends_with(dir, "/") ? dir : dir + "/") + (str::starts_with(rest, "/") ? rest.substr(1) : rest);
}

} // namespace

Result<SnapshotDir>
snapshot_dir(const json& pod)
{
  const auto name = k8s::string_at(pod, "/metadata/name");
  // References into the pod (value() would hand out copies).
  static const json none = json::array();
  auto list_at = [](const json& j, const char* pointer) -> const json& {
    const json::json_pointer p(pointer);
    return j.contains(p) && j.at(p).is_array() ? j.at(p) : none;
  };
  const json* container = nullptr;
  for (const auto& c : list_at(pod, "/spec/containers")) {
    if (c.value("name", "") == "etcd") {
      container = &c;
    }
  }
  if (container == nullptr) {
    return make_error(ErrorKind::not_found, "pod kube-system/{} has no container named etcd", name);
  }
  std::string data_dir;
  for (const char* field : { "/command", "/args" }) {
    for (const auto& a : list_at(*container, field)) {
      const auto arg = a.is_string() ? a.get<std::string>() : std::string();
      if (str::starts_with(arg, "--data-dir=")) {
        data_dir = arg.substr(std::string("--data-dir=").size());
      }
    }
  }
  if (data_dir.empty() || !str::starts_with(data_dir, "/")) {
    return make_error(ErrorKind::unavailable,
                      "pod kube-system/{}: etcd has no absolute --data-dir, so ocne cannot tell where on the node a "
                      "snapshot would be",
                      name);
  }
  // The mount that holds the data directory (the longest matching path).
  const json* mount = nullptr;
  for (const auto& m : list_at(*container, "/volumeMounts")) {
    const auto path = m.value("mountPath", "");
    const bool holds = path == data_dir || str::starts_with(data_dir, str::ends_with(path, "/") ? path : path + "/");
    if (holds && (mount == nullptr || path.size() > (*mount).value("mountPath", "").size())) {
      mount = &m;
    }
  }
  const json* volume = nullptr;
  if (mount != nullptr) {
    for (const auto& v : list_at(pod, "/spec/volumes")) {
      if (v.value("name", "") == (*mount).value("name", "") && v.contains("hostPath")) {
        volume = &v;
      }
    }
  }
  if (volume == nullptr || (*mount).value("readOnly", false) || (*mount).contains("subPath") ||
      (*mount).contains("subPathExpr")) {
    return make_error(ErrorKind::unavailable,
                      "pod kube-system/{}: the etcd data directory {} is not on a writable hostPath volume, so ocne's "
                      "node pod could not read a snapshot written there; refusing to write it elsewhere",
                      name,
                      data_dir);
  }
  const auto mount_path = (*mount).value("mountPath", "");
  const auto host = (*volume)["hostPath"].value("path", "");
  return SnapshotDir{ data_dir, joined_path(host, data_dir.substr(std::min(data_dir.size(), mount_path.size()))) };
}

Result<BackupResult>
backup_etcd(k8s::Client& client, const fs::Path& out)
{
  OCNE_TRY_ASSIGN(auto pod, pick_etcd_pod(client));
  OCNE_TRY_ASSIGN(auto dir, snapshot_dir(pod));
  BackupResult result;
  const auto pod_name = k8s::string_at(pod, "/metadata/name");
  result.node = k8s::string_at(pod, "/spec/nodeName");
  result.pod = "kube-system/" + pod_name;
  const auto what = fmt::format("etcd snapshot from {}", result.pod);

  // The node pod first: without it the snapshot could not be read or removed.
  OCNE_TRY(prepare_node_pods(client));
  NodePodSpec spec;
  spec.node = result.node;
  spec.purpose = "backup";
  spec.container = "node";
  spec.deadline_seconds = k_node_pod_deadline_seconds;
  OCNE_TRY_ASSIGN(auto node_pod, NodePod::create(client, spec));
  OCNE_TRY(node_pod->wait_running(std::chrono::seconds(120)));
  sweep_snapshots(client, *node_pod, dir.on_host);

  OCNE_TRY_ASSIGN(auto before, member_status(client, pod_name));
  result.revision = before.revision;
  const auto file = unique_name();
  const SnapshotOnNode snapshot(client, *node_pod, joined_path(dir.on_host, file));
  k8s::ExecRequest save;
  save.namespace_ = "kube-system";
  save.pod = pod_name;
  save.container = "etcd";
  save.command = etcdctl({ "snapshot", "save", joined_path(dir.in_container, file) });
  OCNE_TRY_ASSIGN(auto saved, k8s::exec_collect(client.access(), save));
  if (saved.exit_code != 0) {
    return make_error(ErrorKind::unavailable,
                      "{}: the snapshot failed (exit code {}): {}",
                      what,
                      saved.exit_code,
                      messages_of(saved.err));
  }
  OCNE_TRY_ASSIGN(auto after, member_status(client, pod_name));
  result.revision_after = after.revision;

  OCNE_TRY_ASSIGN(auto remote_sha, sha256_on_node(client, *node_pod, snapshot.path()));
  k8s::ExecRequest read;
  read.namespace_ = k_ocne_namespace;
  read.pod = node_pod->name();
  read.container = "node";
  read.command = on_host({ "cat", snapshot.path() });
  OCNE_TRY_ASSIGN(auto session, k8s::ExecSession::open(client.access(), read));
  OCNE_TRY_ASSIGN(auto local, fs::AtomicFile::create(out, fs::k_private));
  Sha256Hasher digest;
  std::string err;
  while (true) {
    if (interrupted()) {
      return make_error(ErrorKind::cancelled, "interrupted");
    }
    auto frame = session->read();
    if (!frame) {
      return make_error(interrupted() ? Error(ErrorKind::cancelled, "interrupted") : frame.error());
    }
    if (!*frame) {
      break;
    }
    if ((*frame)->channel == 2) {
      err += (*frame)->data;
      continue;
    }
    const auto& data = (*frame)->data;
    digest.update(data);
    OCNE_TRY(local.write(data));
    result.size += data.size();
  }
  if (const int code = *session->exit_code(); code != 0) {
    return make_error(ErrorKind::unavailable,
                      "{}: reading {} on node {} failed (exit code {}): {}",
                      what,
                      snapshot.path(),
                      result.node,
                      code,
                      messages_of(err));
  }
  result.sha256 = digest.finish_hex();
  if (remote_sha != result.sha256) {
    return make_error(ErrorKind::transient,
                      "{}: the {} bytes received do not match the snapshot taken (SHA-256 {} there, {} here); "
                      "nothing was written",
                      what,
                      result.size,
                      remote_sha,
                      result.sha256);
  }
  OCNE_TRY(local.commit());
  // Cluster API keeps the etcd CA and the cluster CA in Secrets a restored
  // control plane needs too.
  if (auto clusters = list_capi(client, { "Cluster" })) {
    for (const auto& c : *clusters) {
      const auto ns = k8s::string_at(c, "/metadata/namespace");
      const auto name = k8s::string_at(c, "/metadata/name");
      result.restore_secrets.push_back(ns + "/" + name + "-etcd");
      result.restore_secrets.push_back(ns + "/" + name + "-ca");
    }
  }
  return result;
}

} // namespace ocne::diag
