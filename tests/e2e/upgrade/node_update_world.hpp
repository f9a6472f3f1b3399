#pragma once

// A cluster of in-place OCK nodes at 1.33 whose hosts have downloaded the
// 1.34 OS (as `cluster stage` leaves them), for `ocne node update` through
// the binary: the fake hosts deploy and reboot (tests/e2e/diag/fake_nodes.hpp),
// the disruption and ReplicaSet controllers answer the drain, and every
// flip of a Node's spec.unschedulable is recorded with the Node's state at
// that instant.

#include "tests/e2e/diag/diag_world.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace ocne::test {

inline const std::string k_old_commit = "3b1e5c0e8a4f9d2c7b6a5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09";
inline const std::string k_new_commit(64, 'b');
inline constexpr const char* k_new_kubelet = "v1.34.1+1.el8";
inline constexpr const char* k_journal = "ocne.oracle.com/node-update";

// A Node's state when its spec.unschedulable changed.
struct CordonFlip
{
  std::string node;
  bool unschedulable = false;
  std::string boot_id;
  std::string ready; // the Ready condition's status
  std::string kubelet;
  bool static_pods_ready = true; // every mirror pod in the cluster Ready at that instant
};

class NodeUpdateWorld : public DiagCliTest
{
protected:
  void SetUp() override;

  // A node at 1.33 whose host downloaded the 1.34 commit (announced unless told).
  void add_staged_node(const std::string& name, bool control_plane, bool announced = true);
  // The node as if updated already (1.34 booted, nothing announced).
  void mark_updated(const std::string& name);
  // kubeadm's kube-proxy DaemonSet at this image; a fake DaemonSet
  // controller rolls each new template out one node per step, every change
  // of its image is recorded among the flips (node "kube-proxy", kubelet =
  // the image), and so is the end of each rollout ("kube-proxy rolled out").
  void add_kube_proxy(const std::string& image);
  // The mirror pods of a control plane's static pods (etcd-<node>, ...), Ready.
  void add_static_pods(const std::string& node);
  nlohmann::json node(const std::string& name);
  std::vector<CordonFlip> flips();
  // Requests whose method and target contain these.
  int count_requests(const std::string& method, const std::string& target_part, int status = 0);

private:
  std::mutex m_mutex;
  std::vector<CordonFlip> m_flips;
};

} // namespace ocne::test
