#pragma once

// `ocne cluster analyze`: what is wrong in a cluster, from a snapshot of its
// objects (live or from a dump): cordoned and NotReady nodes, pressure
// conditions, pods that are not ready with their containers' reasons, image
// pull failures, Warning events, and for Cluster API clusters Machines with
// failing conditions and control planes or MachineDeployments whose rollout
// is not done. From node files: failed systemd units and OS updates staged
// but not booted; from logs: the last lines before a container restarted.

#include "pkg/diag/analyze_input.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace ocne::diag {

struct Finding
{
  std::string object; // "node cp-1", "pod app/web", "Machine demo/demo-cp-1"
  std::string problem;
  std::vector<std::string> lines; // supporting text (the last lines of a crashed container's log)
};

struct Analysis
{
  std::vector<Finding> nodes;
  std::vector<Finding> pods;
  std::vector<Finding> images;
  std::vector<Finding> events; // oldest first
  std::vector<Finding> capi;
  int events_left_out = 0; // older Warning events not shown without verbose
};

struct AnalyzeOptions
{
  bool verbose = false;   // every Warning event instead of the newest
  int recent_events = 20; // how many otherwise
};

Analysis analyze(const ClusterSnapshot& snapshot, const AnalyzeOptions& options);

std::string format_analysis(const Analysis& analysis);
nlohmann::json analysis_json(const Analysis& analysis);

} // namespace ocne::diag
