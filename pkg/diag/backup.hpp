#pragma once

// `ocne cluster backup`: an etcd snapshot taken by etcdctl inside the etcd
// pod of a Ready control plane node (the leader's, as `etcdctl endpoint
// status` tells each member; the first Ready one when none can say), streamed back over exec, checked
// against the SHA-256 computed where it was taken, removed there, and
// written locally with mode 0600, atomically (no file unless it matched).

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/client.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ocne::diag {

struct BackupResult
{
  std::string pod;  // kube-system/etcd-<node>
  std::string node;
  std::uint64_t size = 0;
  std::int64_t revision = 0;
  std::string sha256;
  // For Cluster API clusters: what a restore needs besides the snapshot
  // ("<ns>/<cluster>-etcd", "<ns>/<cluster>-ca").
  std::vector<std::string> restore_secrets;
};

// The command run in the etcd container (sh): exposed for tests that play
// the node.
std::vector<std::string> backup_command();

Result<BackupResult> backup_etcd(k8s::Client& client, const fs::Path& out);

} // namespace ocne::diag
