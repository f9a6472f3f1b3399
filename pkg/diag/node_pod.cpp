#include "pkg/diag/node_pod.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/pod_hygiene.hpp"
#include "pkg/k8s/object.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <random>

namespace ocne::diag {

using nlohmann::json;

namespace {

const k8s::GroupVersionKind k_pod{ "", "v1", "Pod" };

std::string
pod_name(const std::string& purpose, const std::string& node)
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
  return "ocne-" + purpose + "-" + clean + "-" + suffix;
}

} // namespace

std::string
this_run_owner()
{
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + "/" + std::to_string(::getpid());
}

json
node_pod(const NodePodSpec& s, const std::string& name)
{
  return { { "apiVersion", "v1" },
           { "kind", "Pod" },
           { "metadata",
             { { "name", name },
               { "namespace", k_ocne_namespace },
               { "labels", { { k_managed_by_label, k_managed_by_value }, { k_purpose_label, s.purpose } } },
               { "annotations", { { k_owner_annotation, s.owner.empty() ? this_run_owner() : s.owner } } } } },
           { "spec",
             { { "nodeName", s.node },
               { "restartPolicy", "Never" },
               { "activeDeadlineSeconds", s.deadline_seconds },
               { "hostPID", true },
               { "hostNetwork", true },
               { "terminationGracePeriodSeconds", 0 },
               { "tolerations", json::array({ { { "operator", "Exists" } } }) },
               { "containers",
                 json::array(
                   { { { "name", s.container },
                       { "image", s.image },
                       { "command", { "sleep", std::to_string(s.deadline_seconds) } },
                       { "stdin", s.stdin },
                       { "tty", s.tty },
                       { "securityContext", { { "privileged", true } } },
                       { "volumeMounts", json::array({ { { "name", "host" }, { "mountPath", "/hostroot" } } }) } } }) },
               { "volumes", json::array({ { { "name", "host" }, { "hostPath", { { "path", "/" } } } } }) } } } };
}

Result<int>
sweep_pods(k8s::Client& client, const std::string& host)
{
  auto pods = client.list(
    k_pod,
    { .namespace_ = k_ocne_namespace, .label_selector = std::string(k_managed_by_label) + "=" + k_managed_by_value });
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

Status
prepare_node_pods(k8s::Client& client)
{
  OCNE_TRY(client.create_if_absent(
    { { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", k_ocne_namespace } } } }));
  const auto owner = this_run_owner();
  OCNE_TRY(sweep_pods(client, owner.substr(0, owner.rfind('/'))));
  return {};
}

NodePod::NodePod(k8s::Client& client, NodePodSpec spec, std::string name)
  : m_client(client), m_spec(std::move(spec)), m_name(std::move(name))
{
}

Result<std::unique_ptr<NodePod>>
NodePod::create(k8s::Client& client, NodePodSpec spec)
{
  if (spec.owner.empty()) {
    spec.owner = this_run_owner();
  }
  auto name = pod_name(spec.purpose, spec.node);
  OCNE_TRY(client.create(node_pod(spec, name)));
  return std::unique_ptr<NodePod>(new NodePod(client, std::move(spec), std::move(name)));
}

NodePod::~NodePod()
{
  // Cleanup runs after Ctrl-C too: the transport refuses to start requests
  // while an interrupt is pending, so lift it for the delete.
  const bool was_interrupted = interrupted();
  if (was_interrupted) {
    reset_interrupt();
  }
  const auto ok = m_client.remove(k8s::ObjectRef{ "v1", "Pod", k_ocne_namespace, m_name },
                                  { .propagation = k8s::Propagation::background, .ignore_not_found = true });
  if (!ok) {
    log::warn(
      "could not delete pod {}/{}: {} (the next run sweeps it)", k_ocne_namespace, m_name, ok.error().message());
  }
  if (was_interrupted) {
    request_interrupt();
  }
}

Status
NodePod::wait_running(std::chrono::seconds timeout)
{
  PollMessages messages;
  messages.timed_out = [&](std::string_view) {
    return Error(
      ErrorKind::timeout,
      fmt::format(
        "pod {}/{} on node {} did not start within {} s", k_ocne_namespace, m_name, m_spec.node, timeout.count()));
  };
  // Polled: a watch would need a second connection kept open for this.
  return poll({ .timeout = timeout, .interval = std::chrono::milliseconds(300) }, messages, [&]() -> Status {
    OCNE_TRY_ASSIGN(auto pod, m_client.get(k8s::ObjectRef{ "v1", "Pod", k_ocne_namespace, m_name }));
    const auto phase = k8s::string_at(pod, "/status/phase");
    if (phase == "Running") {
      return {};
    }
    if (phase == "Failed" || phase == "Succeeded") {
      return make_error(ErrorKind::unavailable,
                        "pod {}/{} on node {} ended before it ran ({})",
                        k_ocne_namespace,
                        m_name,
                        m_spec.node,
                        phase);
    }
    return not_ready_yet(phase);
  });
}

} // namespace ocne::diag
