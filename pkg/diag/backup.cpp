#include "pkg/diag/backup.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/capi_resources.hpp"
#include "pkg/diag/info.hpp"
#include "pkg/k8s/exec.hpp"
#include "pkg/k8s/object.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace ocne::diag {

using nlohmann::json;

namespace {

// Markers on stderr, so etcdctl's own messages can go there too.
constexpr const char* k_sha_marker = "ocne-sha256: ";
constexpr const char* k_status_marker = "ocne-status: ";

struct DigestDeleter
{
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string
hex(const unsigned char* data, unsigned size)
{
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

// kubeadm's stacked etcd: the local member, with the certificates kubeadm
// mounts into the etcd pod.
const std::vector<std::string> k_etcdctl = { "etcdctl",
                                             "--endpoints=https://127.0.0.1:2379",
                                             "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
                                             "--cert=/etc/kubernetes/pki/etcd/server.crt",
                                             "--key=/etc/kubernetes/pki/etcd/server.key" };

// The etcd pods that can take a snapshot: on a Ready control plane node,
// themselves Ready; by name.
Result<std::vector<json>>
usable_etcd_pods(k8s::Client& client)
{
  OCNE_TRY_ASSIGN(auto pods, client.list(k8s::GroupVersionKind{ "", "v1", "Pod" },
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

// Whether the member in this pod leads, from `etcdctl endpoint status -w
// json` of its local endpoint: [{"Endpoint": ..., "Status": {"header":
// {"member_id": N, ...}, "leader": N, ...}}].
Result<bool>
is_leader(k8s::Client& client, const json& pod)
{
  k8s::ExecRequest request;
  request.namespace_ = "kube-system";
  request.pod = k8s::string_at(pod, "/metadata/name");
  request.container = "etcd";
  request.command = k_etcdctl;
  request.command.insert(request.command.end(), { "endpoint", "status", "-w", "json" });
  OCNE_TRY_ASSIGN(auto r, k8s::exec_collect(client.access(), request));
  if (r.exit_code != 0) {
    return make_error(ErrorKind::unavailable, "etcdctl endpoint status exited with {}: {}", r.exit_code, str::trim(r.err));
  }
  try {
    const auto doc = json::parse(r.out);
    const auto& status = doc.at(0).at("Status");
    return status.at("leader").get<std::uint64_t>() == status.at("header").at("member_id").get<std::uint64_t>();
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
    auto leader = is_leader(client, pod);
    if (!leader) {
      if (leader.error().kind() == ErrorKind::cancelled) {
        return make_error(leader.error());
      }
      log::warn("backup: {}: {}", k8s::string_at(pod, "/metadata/name"), leader.error().message());
      continue;
    }
    if (*leader) {
      return pod;
    }
  }
  log::warn("backup: no etcd member says it leads; using {}", k8s::string_at(usable.front(), "/metadata/name"));
  return usable.front();
}

} // namespace

std::vector<std::string>
backup_command()
{
  // etcdctl talks to the local member with kubeadm's certificates; the file
  // goes under /var/lib/etcd (etcd's own volume, room for a snapshot) and is
  // removed on any exit of the script.
  const std::string etcdctl = "ETCDCTL_API=3 " + str::join(k_etcdctl, " ");
  const std::string script = "set -e; f=/var/lib/etcd/ocne-backup-$$.db; trap 'rm -f \"$f\" \"$f.part\"' EXIT; " + etcdctl +
                             " snapshot save \"$f\" >&2; "
                             "echo \"" + std::string(k_status_marker) + "$(" + etcdctl +
                             " snapshot status \"$f\" -w json)\" >&2; "
                             "echo \"" + std::string(k_sha_marker) + "$(sha256sum \"$f\" | cut -d' ' -f1)\" >&2; "
                             "cat \"$f\"";
  return { "sh", "-c", script };
}

Result<BackupResult>
backup_etcd(k8s::Client& client, const fs::Path& out)
{
  OCNE_TRY_ASSIGN(auto pod, pick_etcd_pod(client));
  BackupResult result;
  result.node = k8s::string_at(pod, "/spec/nodeName");
  result.pod = "kube-system/" + k8s::string_at(pod, "/metadata/name");
  const auto what = fmt::format("etcd snapshot from {}", result.pod);

  k8s::ExecRequest request;
  request.namespace_ = "kube-system";
  request.pod = k8s::string_at(pod, "/metadata/name");
  request.container = "etcd";
  request.command = backup_command();
  OCNE_TRY_ASSIGN(auto session, k8s::ExecSession::open(client.access(), request));
  OCNE_TRY_ASSIGN(auto file, fs::AtomicFile::create(out, fs::k_private));
  std::unique_ptr<EVP_MD_CTX, DigestDeleter> digest(EVP_MD_CTX_new());
  EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr);
  std::string err;
  while (true) {
    OCNE_TRY_ASSIGN(auto frame, session->read());
    if (!frame) {
      break;
    }
    if (frame->channel == 2) {
      err += frame->data;
      continue;
    }
    EVP_DigestUpdate(digest.get(), frame->data.data(), frame->data.size());
    OCNE_TRY(file.write(frame->data));
    result.size += frame->data.size();
  }
  const int code = *session->exit_code();
  std::string remote_sha;
  std::string status;
  std::string messages;
  for (const auto& line : str::split(err, '\n')) {
    if (str::starts_with(line, k_sha_marker)) {
      remote_sha = std::string(str::trim(line.substr(std::string(k_sha_marker).size())));
    } else if (str::starts_with(line, k_status_marker)) {
      status = line.substr(std::string(k_status_marker).size());
    } else if (!str::trim(line).empty()) {
      messages += (messages.empty() ? "" : "; ") + std::string(str::trim(line));
    }
  }
  if (code != 0) {
    return make_error(ErrorKind::unavailable, "{}: the snapshot failed (exit code {}): {}", what, code,
                      messages.empty() ? "no message" : messages);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned md_size = 0;
  EVP_DigestFinal_ex(digest.get(), md, &md_size);
  result.sha256 = hex(md, md_size);
  if (remote_sha.size() != 64) {
    return make_error(ErrorKind::internal, "{}: the node reported no SHA-256 of the snapshot", what);
  }
  if (remote_sha != result.sha256) {
    return make_error(ErrorKind::transient,
                      "{}: the {} bytes received do not match the snapshot taken (SHA-256 {} there, {} here); "
                      "nothing was written",
                      what, result.size, remote_sha, result.sha256);
  }
  try {
    result.revision = json::parse(status).value("revision", std::int64_t{ 0 });
  } catch (const std::exception&) {
    return make_error(ErrorKind::internal, "{}: etcdctl snapshot status did not answer JSON", what);
  }
  OCNE_TRY(file.commit());
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
