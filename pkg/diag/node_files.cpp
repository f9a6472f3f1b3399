#include "pkg/diag/node_files.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/info.hpp"
#include "pkg/k8s/exec.hpp"
#include "pkg/k8s/object.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>

namespace ocne::diag {

namespace {

std::vector<NodeFile>
make_node_files()
{
  auto cat = [](const char* name, const char* path) { return NodeFile{ name, { "cat", path }, false, false }; };
  std::vector<NodeFile> files = {
    // What tells the node's update service where OS updates come from.
    { "update.yaml", { "cat", "/etc/ocne/update.yaml" }, true, false },
    { "ostree-status.out", { "ostree", "admin", "status" }, true, false },
    { "ostree-refs.out", { "ostree", "refs" }, true, false },
    // The commit the update service staged (ocne-update.sh creates ock:ock).
    { "ostree-staged.out", { "ostree", "rev-parse", "ock:ock" }, true, true },
    { "rpm-ostree-status.out", { "rpm-ostree", "status" }, false, false },
    { "failed-units.out",
      { "systemctl", "list-units", "--failed", "--no-legend", "--plain", "--no-pager" },
      true,
      false },
    cat("crictl.conf", "/etc/crictl.yaml"),
    cat("crio.conf", "/etc/crio/crio.conf"),
    { "crio-proxy.conf", { "cat", "/etc/systemd/system/crio.service.d/proxy.conf" }, false, true },
    cat("registries.conf", "/etc/containers/registries.conf"),
    { "services.out", { "systemctl", "list-units", "--type=service", "--all", "--no-pager" }, false, false },
    { "top.out", { "top", "-b", "-n", "1" }, false, false },
    { "df.out", { "df", "-Th" }, false, false },
    { "du.out", { "du", "-x", "-h", "-d", "4", "-t", "100K", "/" }, false, false },
    { "crictl-ps.out", { "crictl", "ps", "-a" }, false, false },
    { "crictl-images.out", { "crictl", "images" }, false, false },
    { "podman-images.out", { "podman", "images" }, false, false },
    { "journal-boots.out", { "journalctl", "--list-boots", "--no-pager" }, false, false },
    { "journal-disk-usage.out", { "journalctl", "--disk-usage" }, false, false },
    { "journal.out", { "journalctl", "-b", "--no-pager", "-n", "2000" }, false, false },
    { "journal-errors.out", { "journalctl", "-b", "--no-pager", "-p", "err", "-n", "2000" }, false, false },
  };
  for (const char* unit : { "kubelet", "crio", "keepalived", "grow-rootfs", "ocne", "ocne-update", "ostree-remount" }) {
    files.push_back({ std::string("journal-") + unit + ".out",
                      { "journalctl", "-b", "--no-pager", "-n", "5000", "-u", std::string(unit) + ".service" },
                      false,
                      false });
  }
  return files;
}

std::string
first_line(const std::string& text)
{
  const auto trimmed = std::string(str::trim(text));
  const auto end = trimmed.find('\n');
  return end == std::string::npos ? trimmed : trimmed.substr(0, end);
}

} // namespace

const std::vector<NodeFile>&
node_files()
{
  static const std::vector<NodeFile> files = make_node_files();
  return files;
}

Status
collect_node_files(k8s::Client& client, const NodeFilesOptions& o, const NodeFileSink& sink, const NodeWarning& warn)
{
  OCNE_TRY_ASSIGN(auto nodes, client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
  std::map<std::string, NodeInfo> by_name;
  for (const auto& n : nodes.items) {
    auto info = node_info(n);
    by_name.emplace(info.name, std::move(info));
  }
  std::vector<std::string> wanted = o.nodes;
  if (wanted.empty()) {
    for (const auto& [name, _] : by_name) {
      wanted.push_back(name);
    }
  }
  std::vector<std::string> ready;
  for (const auto& name : wanted) {
    const auto at = by_name.find(name);
    if (at == by_name.end()) {
      return make_error(ErrorKind::invalid_input, "no such node: {}", name);
    }
    if (!at->second.ready) {
      warn("node " + name, "NotReady: its kubelet cannot start the pod that collects its files");
      continue;
    }
    ready.push_back(name);
  }
  if (ready.empty()) {
    return {};
  }
  OCNE_TRY(prepare_node_pods(client));
  // All pods first, so the nodes pull and start them at the same time.
  std::vector<std::unique_ptr<NodePod>> pods;
  for (const auto& node : ready) {
    NodePodSpec spec;
    spec.node = node;
    spec.purpose = o.purpose;
    spec.container = "node";
    spec.image = o.image;
    spec.deadline_seconds = o.deadline_seconds;
    OCNE_TRY_ASSIGN(auto pod, NodePod::create(client, spec));
    pods.push_back(std::move(pod));
  }
  for (const auto& pod : pods) {
    const auto& node = pod->spec().node;
    if (auto running = pod->wait_running(o.start_timeout); !running) {
      if (running.error().kind() == ErrorKind::cancelled) {
        return running;
      }
      warn("node " + node, running.error().message());
      continue;
    }
    for (const auto& file : node_files()) {
      if (o.set == NodeFileSet::summary && !file.summary) {
        continue;
      }
      if (interrupted()) {
        return make_error(ErrorKind::cancelled, "interrupted");
      }
      k8s::ExecRequest request;
      request.namespace_ = k_ocne_namespace;
      request.pod = pod->name();
      request.container = "node";
      request.command = { "chroot", "/hostroot" };
      request.command.insert(request.command.end(), file.command.begin(), file.command.end());
      const auto what = fmt::format("node {}: {} ({})", node, file.name, str::join(file.command, " "));
      auto result = k8s::exec_collect(client.access(), request);
      if (!result) {
        if (result.error().kind() == ErrorKind::cancelled) {
          return make_error(result.error());
        }
        warn(what, result.error().message());
        continue;
      }
      if (result->exit_code != 0) {
        if (!file.may_fail) {
          warn(what, fmt::format("exit code {}: {}", result->exit_code, first_line(result->err)));
        }
        continue;
      }
      OCNE_TRY(sink(node, file.name, std::move(result->out)));
    }
  }
  return {};
}

} // namespace ocne::diag
