#include "pkg/diag/console.hpp"

#include <nlohmann/json.hpp>

namespace ocne::diag {

NodePodSpec
console_pod(const ConsoleOptions& o)
{
  NodePodSpec spec;
  spec.node = o.node;
  spec.purpose = "console";
  spec.container = "console";
  spec.image = !o.image.empty() ? o.image : o.toolbox ? k_toolbox_image : k_node_pod_image;
  spec.owner = o.owner;
  spec.deadline_seconds = o.deadline_seconds;
  spec.stdin = true;
  spec.tty = o.tty;
  return spec;
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
run_console(k8s::Client& client, const ConsoleOptions& o, const k8s::ExecSession::PumpIo& io)
{
  OCNE_TRY_ASSIGN(auto node, client.find(k8s::ObjectRef{ "v1", "Node", "", o.node }));
  if (!node) {
    return make_error(ErrorKind::not_found, "node {} does not exist", o.node);
  }
  OCNE_TRY(prepare_node_pods(client));
  OCNE_TRY_ASSIGN(auto pod, NodePod::create(client, console_pod(o)));
  OCNE_TRY(pod->wait_running(o.start_timeout));
  k8s::ExecRequest request;
  request.namespace_ = k_ocne_namespace;
  request.pod = pod->name();
  request.container = "console";
  request.command = console_command(o);
  request.stdin = true;
  request.tty = o.tty;
  OCNE_TRY_ASSIGN(auto session, k8s::ExecSession::open(client.access(), request));
  return session->pump(io);
}

} // namespace ocne::diag
