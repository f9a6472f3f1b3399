#pragma once

// What `cluster info` and `cluster analyze` read from a node's files
// (node_files.hpp): the OS update source (update.yaml), the ostree
// deployments, whether the update service staged a commit that is not the
// booted one, and the systemd units that failed.

#include <map>
#include <string>
#include <vector>

namespace ocne::diag {

struct NodeDetails
{
  bool collected = false;                // any file was read
  std::string update_source;             // update.yaml as it is
  std::string deployments;               // `ostree admin status` without Version/origin lines
  std::string booted_commit;             // of the booted deployment ("* ..."), without the deploy serial
  std::string staged_commit;             // ock:ock, when the update service made it
  std::vector<std::string> failed_units; // "kubelet.service"
  // A staged commit that is not the booted one.
  bool
  update_staged() const
  {
    return !staged_commit.empty() && staged_commit != booted_commit;
  }
};

// files: a node's file name -> content.
NodeDetails node_details(const std::map<std::string, std::string>& files);

} // namespace ocne::diag
