#pragma once

// Files collected from nodes (what Oracle's dump-subset.sh and dump-full.sh
// gather): each is one command run with `chroot /hostroot` in a node pod
// (node_pod.hpp) over exec, its standard output being the file. `cluster
// dump` collects them all under nodes/<node>/; `cluster info` and a live
// `cluster analyze` collect the subset they read (node_details.hpp).

#include "pkg/core/error.hpp"
#include "pkg/diag/node_pod.hpp"
#include "pkg/k8s/client.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ocne::diag {

enum class NodeFileSet {
  full,    // dump
  summary, // info and analyze: update.yaml, ostree, failed units
};

struct NodeFile
{
  std::string name;                 // the file's name in the node's folder
  std::vector<std::string> command; // run in the node's root
  bool summary = false;             // part of NodeFileSet::summary
  bool may_fail = false;            // a non-zero exit is an answer (no such ref), not a failure
};

// Every file, in the order they are collected.
const std::vector<NodeFile>& node_files();

struct NodeFilesOptions
{
  std::vector<std::string> nodes; // empty: every node
  NodeFileSet set = NodeFileSet::full;
  std::string image = k_node_pod_image;
  std::string purpose = "node-files";
  std::chrono::seconds start_timeout{ 120 };
  int deadline_seconds = 1800;
};

// A file as it arrives: the node, the file's name, its content.
using NodeFileSink = std::function<Status(const std::string&, const std::string&, std::string)>;
// What could not be collected (the rest goes on).
using NodeWarning = std::function<void(const std::string& what, const std::string& why)>;

// Starts one pod per node (NotReady nodes are skipped with a warning, their
// kubelet cannot run it), runs the commands in each and hands every file to
// sink; the pods are deleted before this returns, however it returns.
Status collect_node_files(k8s::Client& client,
                          const NodeFilesOptions& options,
                          const NodeFileSink& sink,
                          const NodeWarning& warn);

} // namespace ocne::diag
