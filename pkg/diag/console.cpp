#include "pkg/diag/console.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/pod_hygiene.hpp"
#include "pkg/k8s/object.hpp"

#include <cerrno>
#include <csignal>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

namespace ocne::diag {

using nlohmann::json;

namespace {

const k8s::GroupVersionKind k_pod{ "", "v1", "Pod" };

std::string
pod_name(const std::string& node)
{
  std::string clean;
  for (const char c : str::to_lower(node)) {
    clean += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-') ? c : '-';
  }
  clean = clean.substr(0, 40);
  static const char* alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::random_device rd;
  std::string suffix;
  for (int i = 0; i < 5; ++i) {
    suffix += alphabet[rd() % 27];
  }
  return "ocne-console-" + clean + "-" + suffix;
}

// Deletes the pod when the session ends, however it ends.
struct PodGuard
{
  k8s::Client& client;
  std::string name;
  ~PodGuard()
  {
    // Cleanup runs after Ctrl-C too: the transport refuses to start
    // requests while an interrupt is pending, so lift it for the delete.
    const bool was_interrupted = interrupted();
    if (was_interrupted) {
      reset_interrupt();
    }
    const auto ok = client.remove(k8s::ObjectRef{ "v1", "Pod", k_ocne_namespace, name },
                                  { .propagation = k8s::Propagation::background, .ignore_not_found = true });
    if (!ok) {
      log::warn("console: could not delete pod {}/{}: {} (the next run sweeps it)", k_ocne_namespace, name,
                ok.error().message());
    }
    if (was_interrupted) {
      request_interrupt();
    }
  }
};

} // namespace

json
console_pod(const ConsoleOptions& o, const std::string& name)
{
  const std::string image = o.toolbox ? "container-registry.oracle.com/olcne/ock:toolbox"
                                      : "container-registry.oracle.com/os/oraclelinux:8";
  return { { "apiVersion", "v1" },
           { "kind", "Pod" },
           { "metadata",
             { { "name", name },
               { "namespace", k_ocne_namespace },
               { "labels", { { k_managed_by_label, k_managed_by_value }, { k_purpose_label, "console" } } },
               { "annotations", { { k_owner_annotation, o.owner } } } } },
           { "spec",
             { { "nodeName", o.node },
               { "restartPolicy", "Never" },
               { "activeDeadlineSeconds", o.deadline_seconds },
               { "hostPID", true },
               { "hostNetwork", true },
               { "terminationGracePeriodSeconds", 0 },
               { "tolerations", json::array({ { { "operator", "Exists" } } }) },
               { "containers",
                 json::array({ { { "name", "console" },
                                 { "image", image },
                                 { "command", { "sleep", std::to_string(o.deadline_seconds) } },
                                 { "stdin", true },
                                 { "tty", o.tty },
                                 { "securityContext", { { "privileged", true } } },
                                 { "volumeMounts", json::array({ { { "name", "host" }, { "mountPath", "/hostroot" } } }) } } }) },
               { "volumes", json::array({ { { "name", "host" }, { "hostPath", { { "path", "/" } } } } }) } } } };
}

std::vector<std::string>
console_command(const ConsoleOptions& o)
{
  std::vector<std::string> cmd;
  if (o.direct) {
    cmd = { "chroot", "/hostroot" };
  }
  if (o.command.empty()) {
    cmd.push_back(o.direct ? "/bin/bash" : "sh");
  } else {
    cmd.insert(cmd.end(), o.command.begin(), o.command.end());
  }
  return cmd;
}

Result<int>
sweep_pods(k8s::Client& client, const std::string& host)
{
  auto pods = client.list(k_pod, { .namespace_ = k_ocne_namespace,
                                   .label_selector = std::string(k_managed_by_label) + "=" + k_managed_by_value });
  if (!pods) {
    return pods.error().kind() == ErrorKind::not_found ? Result<int>(0) : make_error(pods.error());
  }
  int swept = 0;
  for (const auto& pod : pods->items) {
    if (!is_ocne_pod(pod)) {
      continue;
    }
    const auto phase = k8s::string_at(pod, "/status/phase");
    bool stale = phase == "Succeeded" || phase == "Failed";
    const auto owner = k8s::string_at(pod, "/metadata/annotations/ocne.oracle.com~1owner");
    const auto slash = owner.rfind('/');
    if (!stale && slash != std::string::npos && owner.substr(0, slash) == host) {
      const int pid = std::atoi(owner.c_str() + slash + 1);
      stale = pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
    }
    if (stale) {
      const auto name = k8s::string_at(pod, "/metadata/name");
      OCNE_TRY(client.remove(k8s::ObjectRef{ "v1", "Pod", k_ocne_namespace, name }, { .ignore_not_found = true }));
      log::info("Removed pod {}/{} left by an earlier run", k_ocne_namespace, name);
      ++swept;
    }
  }
  return swept;
}

Result<int>
run_console(k8s::Client& client, const ConsoleOptions& o, const k8s::ExecSession::PumpIo& io)
{
  OCNE_TRY_ASSIGN(auto node, client.find(k8s::ObjectRef{ "v1", "Node", "", o.node }));
  if (!node) {
    return make_error(ErrorKind::not_found, "node {} does not exist", o.node);
  }
  OCNE_TRY(client.create_if_absent({ { "apiVersion", "v1" },
                                      { "kind", "Namespace" },
                                      { "metadata", { { "name", k_ocne_namespace } } } }));
  const auto host = o.owner.substr(0, o.owner.rfind('/'));
  OCNE_TRY(sweep_pods(client, host));
  const auto name = pod_name(o.node);
  OCNE_TRY(client.create(console_pod(o, name)));
  PodGuard guard{ client, name };
  // Wait for the container to run.
  const auto deadline = std::chrono::steady_clock::now() + o.start_timeout;
  while (true) {
    OCNE_TRY_ASSIGN(auto pod, client.get(k8s::ObjectRef{ "v1", "Pod", k_ocne_namespace, name }));
    const auto phase = k8s::string_at(pod, "/status/phase");
    if (phase == "Running") {
      break;
    }
    if (phase == "Failed" || phase == "Succeeded") {
      return make_error(ErrorKind::unavailable, "console pod {}/{} ended before it ran ({})", k_ocne_namespace, name, phase);
    }
    if (interrupted()) {
      return make_error(ErrorKind::cancelled, "interrupted");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return make_error(ErrorKind::timeout, "console pod {}/{} on node {} did not start within {} s", k_ocne_namespace,
                        name, o.node, o.start_timeout.count());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  k8s::ExecRequest request;
  request.namespace_ = k_ocne_namespace;
  request.pod = name;
  request.container = "console";
  request.command = console_command(o);
  request.stdin = true;
  request.tty = o.tty;
  OCNE_TRY_ASSIGN(auto session, k8s::ExecSession::open(client.access(), request));
  return session->pump(io);
}

} // namespace ocne::diag
