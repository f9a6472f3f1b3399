#include "pkg/ock/node_host.hpp"

#include "pkg/core/strings.hpp"

#include <fmt/format.h>

namespace ocne::ock {

namespace {

constexpr const char* k_container = "node";
constexpr const char* k_reboot_unit = "ocne-node-update-reboot";

std::string
first_line(std::string_view text)
{
  const auto t = str::trim(text);
  return std::string(t.substr(0, t.find('\n')));
}

} // namespace

NodeHost::NodeHost(k8s::Client& client, std::unique_ptr<diag::NodePod> pod) : m_client(client), m_pod(std::move(pod))
{
}

Result<std::unique_ptr<NodeHost>>
NodeHost::open(k8s::Client& client,
               const std::string& node,
               const std::string& purpose,
               std::chrono::seconds start_timeout)
{
  diag::NodePodSpec spec;
  spec.node = node;
  spec.purpose = purpose;
  spec.container = k_container;
  spec.deadline_seconds = 1800;
  OCNE_TRY_ASSIGN(auto pod, diag::NodePod::create(client, spec));
  OCNE_TRY(pod->wait_running(start_timeout));
  return std::unique_ptr<NodeHost>(new NodeHost(client, std::move(pod)));
}

const std::string&
NodeHost::node() const
{
  return m_pod->spec().node;
}

Result<k8s::ExecResult>
NodeHost::run(const std::vector<std::string>& argv, std::string_view input)
{
  k8s::ExecRequest request;
  request.namespace_ = diag::k_ocne_namespace;
  request.pod = m_pod->name();
  request.container = k_container;
  request.command = { "chroot", "/hostroot" };
  request.command.insert(request.command.end(), argv.begin(), argv.end());
  request.stdin = !input.empty();
  auto result = k8s::exec_collect(m_client.access(), request, input);
  if (!result) {
    return make_error(result.error().kind(), "node {}: {}: {}", node(), str::join(argv, " "), result.error().message());
  }
  return result;
}

Status
NodeHost::run_ok(const std::vector<std::string>& argv, std::string_view input)
{
  OCNE_TRY_ASSIGN(const auto result, run(argv, input));
  if (result.exit_code != 0) {
    return make_error(ErrorKind::unavailable,
                      "node {}: {} exited with {}: {}",
                      node(),
                      str::join(argv, " "),
                      result.exit_code,
                      first_line(result.err));
  }
  return {};
}

Result<std::string>
NodeHost::read(std::string_view path)
{
  OCNE_TRY_ASSIGN(auto result, run({ "cat", std::string(path) }));
  if (result.exit_code != 0) {
    return make_error(ErrorKind::not_found, "node {}: cannot read {}: {}", node(), path, first_line(result.err));
  }
  return std::move(result.out);
}

Status
NodeHost::write(std::string_view path, std::string_view content, std::string_view mode)
{
  const auto staging = std::string(path) + ".ocne-new";
  OCNE_TRY(run_ok({ "tee", staging }, content));
  OCNE_TRY(run_ok({ "chmod", std::string(mode), staging }));
  return run_ok({ "mv", "-f", staging, std::string(path) });
}

Result<bool>
NodeHost::unit_active(std::string_view unit)
{
  OCNE_TRY_ASSIGN(const auto result, run({ "systemctl", "is-active", std::string(unit) }));
  if (result.exit_code == 0) {
    return true;
  }
  if (result.exit_code == 3) {
    return false;
  }
  return make_error(ErrorKind::unavailable,
                    "node {}: systemctl is-active {} exited with {}: {}",
                    node(),
                    unit,
                    result.exit_code,
                    first_line(result.err));
}

Status
NodeHost::systemctl(std::string_view verb, std::string_view unit)
{
  return run_ok({ "systemctl", std::string(verb), std::string(unit) });
}

Result<std::string>
NodeHost::kernel_boot_id()
{
  OCNE_TRY_ASSIGN(const auto text, read("/proc/sys/kernel/random/boot_id"));
  return std::string(str::trim(text));
}

Result<OstreeStatus>
NodeHost::ostree_status()
{
  OCNE_TRY_ASSIGN(const auto result, run({ "ostree", "admin", "status" }));
  if (result.exit_code != 0) {
    return make_error(ErrorKind::unavailable,
                      "node {}: ostree admin status exited with {}: {}",
                      node(),
                      result.exit_code,
                      first_line(result.err));
  }
  auto status = parse_ostree_admin_status(result.out);
  if (!status) {
    return make_error(status.error().kind(), "node {}: {}", node(), status.error().message());
  }
  return status;
}

Result<std::optional<std::string>>
NodeHost::staged_commit()
{
  OCNE_TRY_ASSIGN(const auto result, run({ "ostree", "rev-parse", "ock:ock" }));
  if (result.exit_code != 0) {
    if (result.err.find("not found") != std::string::npos) {
      return std::optional<std::string>();
    }
    return make_error(ErrorKind::unavailable,
                      "node {}: ostree rev-parse ock:ock exited with {}: {}",
                      node(),
                      result.exit_code,
                      first_line(result.err));
  }
  return std::optional<std::string>(std::string(str::trim(result.out)));
}

Status
NodeHost::deploy_staged()
{
  return run_ok({ "ostree", "admin", "deploy", "ock:ock" });
}

Status
NodeHost::drop_firstboot_karg()
{
  return run_ok({ "rpm-ostree", "kargs", "--delete-if-present=ignition.firstboot=1" });
}

Result<bool>
NodeHost::schedule_reboot()
{
  const std::vector<std::string> argv = {
    "systemd-run", "--on-active=5", std::string("--unit=") + k_reboot_unit, "systemctl", "reboot"
  };
  OCNE_TRY_ASSIGN(const auto result, run(argv));
  if (result.exit_code == 0) {
    return true;
  }
  if (result.err.find("already exists") != std::string::npos) {
    return false;
  }
  return make_error(ErrorKind::unavailable,
                    "node {}: {} exited with {}: {}",
                    node(),
                    str::join(argv, " "),
                    result.exit_code,
                    first_line(result.err));
}

Result<bool>
NodeHost::reboot_scheduled()
{
  return unit_active(std::string(k_reboot_unit) + ".timer");
}

} // namespace ocne::ock
