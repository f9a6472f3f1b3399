#pragma once

// A node's host as ocne reaches it: one privileged node pod
// (pkg/diag/node_pod.hpp) in which each command runs as
// `chroot /hostroot <argv>` over exec. The pod is deleted when this goes away.

#include "pkg/core/error.hpp"
#include "pkg/diag/node_pod.hpp"
#include "pkg/k8s/client.hpp"
#include "pkg/k8s/exec.hpp"
#include "pkg/ock/ostree_status.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::ock {

class NodeHost
{
public:
  // Starts the pod (purpose: its ocne.oracle.com/purpose label) and waits
  // until it runs. prepare_node_pods must have run once before.
  static Result<std::unique_ptr<NodeHost>> open(k8s::Client& client,
                                                const std::string& node,
                                                const std::string& purpose,
                                                std::chrono::seconds start_timeout);

  const std::string& node() const;
  // Runs argv in the host's root; the exit code is in the result.
  Result<k8s::ExecResult> run(const std::vector<std::string>& argv, std::string_view input = {});
  // `cat PATH`.
  Result<std::string> read(std::string_view path);
  // `tee PATH.ocne-new` (the content on stdin), `chmod MODE PATH.ocne-new`,
  // `mv -f PATH.ocne-new PATH`: the file changes at once or not at all.
  Status write(std::string_view path, std::string_view content, std::string_view mode);
  // `systemctl is-active UNIT`: exit 0 active, 3 not.
  Result<bool> unit_active(std::string_view unit);
  // `systemctl start|stop UNIT`.
  Status systemctl(std::string_view verb, std::string_view unit);

  // For node update. `cat /proc/sys/kernel/random/boot_id`.
  Result<std::string> kernel_boot_id();
  // `ostree admin status`.
  Result<OstreeStatus> ostree_status();
  // `ostree rev-parse ock:ock`: what the update service downloaded
  // (nullopt: the ref does not exist, nothing was ever staged).
  Result<std::optional<std::string>> staged_commit();
  // `ostree admin deploy ock:ock`: the next boot takes the staged commit.
  Status deploy_staged();
  // `rpm-ostree kargs --delete-if-present=ignition.firstboot=1`, so the next
  // boot does not run Ignition again (Oracle's update-node pod does it).
  Status drop_firstboot_karg();
  // `systemd-run --on-active=5 --unit=ocne-node-update-reboot systemctl
  // reboot`: a named timer, so a second call on the same boot is refused by
  // systemd (false: it was already scheduled) and the reboot never happens
  // twice. Five seconds give the exec time to answer.
  Result<bool> schedule_reboot();
  // `systemctl is-active ocne-node-update-reboot.timer`.
  Result<bool> reboot_scheduled();

private:
  NodeHost(k8s::Client& client, std::unique_ptr<diag::NodePod> pod);
  Status run_ok(const std::vector<std::string>& argv, std::string_view input = {});

  k8s::Client& m_client;
  std::unique_ptr<diag::NodePod> m_pod;
};

} // namespace ocne::ock
