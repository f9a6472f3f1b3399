#pragma once

// `ocne cluster dump`: every resource discovery finds (at preferred
// versions, listed in pages; Secrets never, ConfigMaps only when asked), the
// current and previous logs of every container, each node's files (journals,
// configuration, ostree and systemd state; node_files.hpp), and a
// cluster-info.out, into
// a folder or an archive (dump_sink.hpp), redacted unless asked not to.
//
// Layout (relative to the folder or archive root):
//   cluster/cluster-wide/<resource>[.<group>].yaml
//   cluster/namespaces/<ns>/<resource>[.<group>].yaml
//   cluster/namespaces/<ns>/podlogs/<pod>.txt
//   nodes/<node>/<file>       (node_files.hpp; every Ready node, or those of -N)
//   cluster-info.out
//   dump-errors.txt           (what could not be read; absent when nothing failed)
// Each resource file is one List document of the objects of that type.

#include "pkg/core/error.hpp"
#include "pkg/diag/dump_sink.hpp"
#include "pkg/k8s/client.hpp"

#include <string>
#include <vector>

namespace ocne::diag {

struct DumpOptions
{
  bool curated = false;                // -c: a fixed list of kinds instead of discovery
  bool include_configmaps = false;     // -m
  std::vector<std::string> namespaces; // -n: only these (each must exist)
  std::vector<std::string> nodes;      // -N: only these nodes' files (each must exist)
  bool skip_nodes = false;             // -s: no node files
  std::string node_image;              // the node pods' image; empty: k_node_pod_image
  bool skip_cluster = false;           // -r
  bool skip_pod_logs = false;          // -p
  bool redact = true;                  // false with -t
  bool keep_managed_fields = false;    // --managed
  bool json = false;                   // --json
  // Bytes kept of each container log (the newest ones are what matter).
  std::int64_t log_limit_bytes = 16 << 20;
};

struct DumpReport
{
  int files = 0;
  int objects = 0;
  int logs = 0;
  std::vector<std::string> warnings; // also written to dump-errors.txt
  // "replacement,kind,original" (redact only); sensitive: write it 0600 and
  // never into the dump.
  std::string redaction_map_csv;
  int redactions = 0;
};

// Checks the options (the combinations Oracle's ocne refuses).
Status check_dump_options(const DumpOptions& options);

Result<DumpReport> dump_cluster(k8s::Client& client, const DumpOptions& options, DumpSink& sink);

// The file name of a resource's list: "pods", "deployments.apps".
std::string resource_file_name(const k8s::ResourceMapping& m);

} // namespace ocne::diag
