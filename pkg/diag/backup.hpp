#pragma once

// `ocne cluster backup`: an etcd snapshot taken by etcdctl in the etcd pod
// of a Ready control plane node (the leader's, as `etcdctl endpoint status`
// tells each member; the first Ready one when none can say), read back
// through ocne's node pod on that node, checked against the SHA-256
// computed there, removed there, and written locally with mode 0600,
// atomically (no file unless it matched).
//
// The etcd container is only ever asked to run etcdctl itself (no shell:
// upstream etcd images are distroless). The snapshot goes into the etcd
// data directory kubeadm mounts from the host (root's, 0700), under a unique
// name; the node pod hashes it, streams it and removes it with the host's
// tools (`chroot /hostroot ...`).

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ocne::diag {

struct BackupResult
{
  std::string pod; // kube-system/etcd-<node>
  std::string node;
  std::uint64_t size = 0;
  // The member's revision right before and right after the snapshot (the
  // snapshot's lies between; equal when nothing was written meanwhile).
  std::int64_t revision = 0;
  std::int64_t revision_after = 0;
  std::string sha256;
  // For Cluster API clusters: what a restore needs besides the snapshot
  // ("<ns>/<cluster>-etcd", "<ns>/<cluster>-ca").
  std::vector<std::string> restore_secrets;
};

// Where a file etcdctl writes in the etcd container appears on the host:
// the etcd data directory (--data-dir) when a hostPath volume holds it.
struct SnapshotDir
{
  std::string in_container;
  std::string on_host;
};

// Exposed for tests.
Result<SnapshotDir> snapshot_dir(const nlohmann::json& etcd_pod);

// The name prefix of ocne's snapshot files on nodes (swept when older than
// any run that could still read them).
inline constexpr const char* k_snapshot_prefix = "ocne-backup-";

Result<BackupResult> backup_etcd(k8s::Client& client, const fs::Path& out);

} // namespace ocne::diag
