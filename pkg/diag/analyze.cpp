#include "pkg/diag/analyze.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/diag/capi_health.hpp"
#include "pkg/diag/info.hpp"
#include "pkg/diag/pod_hygiene.hpp"
#include "pkg/k8s/object.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace ocne::diag {

using nlohmann::json;

namespace {

// Node conditions that are bad when True.
const std::set<std::string> k_pressure = { "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable" };

// Waiting reasons that mean the image could not be pulled.
const std::set<std::string> k_pull_failures = { "ErrImagePull",
                                                "ImagePullBackOff",
                                                "InvalidImageName",
                                                "ErrImageNeverPull",
                                                "RegistryUnavailable" };

std::string
with_message(std::string text, const std::string& message)
{
  return message.empty() ? text : text + ": " + message;
}

void
analyze_nodes(const ClusterSnapshot& s, Analysis& a)
{
  for (const auto& node : s.nodes) {
    const auto n = node_info(node);
    const auto who = "node " + n.name;
    if (n.cordoned) {
      a.nodes.push_back({ who, "cordoned: pods cannot be scheduled on it" });
    }
    if (!n.ready) {
      const auto status = condition_status(node, "Ready");
      a.nodes.push_back(
        { who,
          with_message(status == "Unknown" ? "Ready is Unknown (the kubelet stopped reporting)" : "NotReady",
                       n.ready_message) });
    }
    const auto conditions = node.contains("status") ? node["status"].value("conditions", json::array()) : json::array();
    for (const auto& c : conditions) {
      const auto type = c.value("type", "");
      if (type == "Ready" || c.value("status", "") != "True") {
        continue;
      }
      a.nodes.push_back(
        { who, with_message(type + (k_pressure.count(type) ? "" : " (unknown condition)"), c.value("message", "")) });
    }
  }
  for (const auto& [node, files] : s.node_files) {
    const auto d = node_details(files);
    for (const auto& unit : d.failed_units) {
      a.nodes.push_back({ "node " + node, "systemd unit " + unit + " failed" });
    }
    if (d.update_staged()) {
      a.nodes.push_back({ "node " + node,
                          fmt::format("OS update staged, not booted (ock:ock {}, booted {})",
                                      d.staged_commit.substr(0, 12),
                                      d.booted_commit.substr(0, 12)) });
    }
  }
}

void
analyze_container(const ClusterSnapshot& s,
                  const std::string& who,
                  const std::string& key,
                  const json& status,
                  bool init,
                  Analysis& a)
{
  const auto name = status.value("name", "");
  const auto label = fmt::format("{}container {}", init ? "init " : "", name);
  const auto image = status.value("image", "");
  if (status.contains("state") && status["state"].contains("waiting")) {
    const auto& w = status["state"]["waiting"];
    const auto reason = w.value("reason", "");
    const auto message = w.value("message", "");
    if (k_pull_failures.count(reason) != 0) {
      a.images.push_back({ who, with_message(fmt::format("{}: {} for {}", label, reason, image), message) });
    }
    a.pods.push_back({ who, with_message(fmt::format("{} waiting: {}", label, reason), message) });
  } else if (status.contains("state") && status["state"].contains("terminated") && !init) {
    const auto& t = status["state"]["terminated"];
    a.pods.push_back(
      { who,
        with_message(
          fmt::format("{} terminated: {} (exit code {})", label, t.value("reason", ""), t.value("exitCode", 0)),
          t.value("message", "")) });
  } else if (!status.value("ready", false) && !init) {
    a.pods.push_back({ who, label + " not ready" });
  }
  if (status.contains("lastState") && status["lastState"].contains("terminated")) {
    const auto& t = status["lastState"]["terminated"];
    a.pods.push_back({ who,
                       with_message(fmt::format("{} restarted {} times, last exit: {} (exit code {})",
                                                label,
                                                status.value("restartCount", 0),
                                                t.value("reason", ""),
                                                t.value("exitCode", 0)),
                                    t.value("message", "")) });
    if (const auto log = s.previous_logs.find(key + "/" + name); log != s.previous_logs.end()) {
      a.pods.back().lines = log->second;
    }
  }
}

void
analyze_pods(const ClusterSnapshot& s, Analysis& a)
{
  for (const auto& pod : s.pods) {
    const auto phase = k8s::string_at(pod, "/status/phase");
    if (phase == "Succeeded" || is_ocne_pod(pod)) {
      continue;
    }
    const auto key = k8s::string_at(pod, "/metadata/namespace") + "/" + k8s::string_at(pod, "/metadata/name");
    const auto who = "pod " + key;
    if (phase == "Failed") {
      a.pods.push_back(
        { who,
          with_message("Failed: " + k8s::string_at(pod, "/status/reason"), k8s::string_at(pod, "/status/message")) });
      continue;
    }
    if (condition_status(pod, "PodScheduled") == "False") {
      a.pods.push_back({ who, with_message("not scheduled", condition_message(pod, "PodScheduled")) });
      continue;
    }
    if (condition_status(pod, "Ready") == "True") {
      continue;
    }
    const auto before = a.pods.size();
    const auto st = pod.value("status", json::object());
    for (const auto& c : st.value("initContainerStatuses", json::array())) {
      if (!c.contains("state") || !c["state"].contains("terminated") ||
          c["state"]["terminated"].value("exitCode", 1) != 0) {
        analyze_container(s, who, key, c, true, a);
      }
    }
    for (const auto& c : st.value("containerStatuses", json::array())) {
      if (!c.value("ready", false)) {
        analyze_container(s, who, key, c, false, a);
      }
    }
    if (a.pods.size() == before) {
      a.pods.push_back({ who,
                         with_message("not ready (" + (phase.empty() ? std::string("no phase") : phase) + ")",
                                      condition_message(pod, "Ready")) });
    }
  }
}

void
analyze_events(const ClusterSnapshot& s, const AnalyzeOptions& o, Analysis& a)
{
  std::vector<std::pair<std::string, Finding>> warnings;
  for (const auto& e : s.events) {
    if (k8s::string_at(e, "/type") != "Warning") {
      continue;
    }
    const auto message = k8s::string_at(e, "/message");
    if (message.find("Search Line limits were exceeded") != std::string::npos) {
      continue; // DNS noise every cluster with long search paths has
    }
    auto when = k8s::string_at(e, "/lastTimestamp");
    if (when.empty()) {
      when = k8s::string_at(e, "/eventTime");
    }
    const auto ns = k8s::string_at(e, "/involvedObject/namespace");
    const auto object = fmt::format("{} {}{}",
                                    str::to_lower(k8s::string_at(e, "/involvedObject/kind")),
                                    ns.empty() ? "" : ns + "/",
                                    k8s::string_at(e, "/involvedObject/name"));
    const auto count = e.contains("count") && e["count"].is_number_integer() ? e["count"].get<long>() : 1;
    warnings.push_back({ when,
                         { object,
                           fmt::format("{}{}: {}{}",
                                       when.empty() ? "" : when + " ",
                                       k8s::string_at(e, "/reason"),
                                       message,
                                       count > 1 ? fmt::format(" (x{})", count) : "") } });
  }
  std::stable_sort(warnings.begin(), warnings.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::size_t first = 0;
  if (!o.verbose && warnings.size() > static_cast<std::size_t>(o.recent_events)) {
    first = warnings.size() - static_cast<std::size_t>(o.recent_events);
    a.events_left_out = static_cast<int>(first);
  }
  for (auto i = first; i < warnings.size(); ++i) {
    a.events.push_back(std::move(warnings[i].second));
  }
}

void
analyze_capi(const ClusterSnapshot& s, Analysis& a)
{
  for (const auto* list : { &s.clusters, &s.control_planes, &s.machine_deployments, &s.machines }) {
    for (const auto& object : *list) {
      const auto h = capi_health(object);
      for (const auto& p : h.problems) {
        a.capi.push_back({ fmt::format("{} {}/{}", h.kind, h.namespace_, h.name), p });
      }
    }
  }
}

std::string
section(const std::string& title, const std::vector<Finding>& findings, const std::string& normal)
{
  std::string out = title + ":\n";
  if (findings.empty()) {
    return out + "  " + normal + "\n";
  }
  for (const auto& f : findings) {
    out += "  " + f.object + ": " + f.problem + "\n";
    for (const auto& line : f.lines) {
      out += "    | " + line + "\n";
    }
  }
  return out;
}

json
findings_json(const std::vector<Finding>& findings)
{
  json out = json::array();
  for (const auto& f : findings) {
    json o = { { "object", f.object }, { "problem", f.problem } };
    if (!f.lines.empty()) {
      o["log"] = f.lines;
    }
    out.push_back(std::move(o));
  }
  return out;
}

} // namespace

Analysis
analyze(const ClusterSnapshot& snapshot, const AnalyzeOptions& options)
{
  Analysis a;
  analyze_nodes(snapshot, a);
  analyze_pods(snapshot, a);
  analyze_events(snapshot, options, a);
  analyze_capi(snapshot, a);
  return a;
}

std::string
format_analysis(const Analysis& a)
{
  std::string out = section("Cluster Nodes", a.nodes, "Cluster nodes are normal");
  out += "\n" + section("Pods", a.pods, "Pods are normal");
  out += "\n" + section("Images", a.images, "No image pull failures");
  out += "\n" + section("Events", a.events, "No Warning events");
  if (a.events_left_out > 0) {
    out += fmt::format("  ({} older Warning events not shown; -v shows them)\n", a.events_left_out);
  }
  out += "\n" + section("Cluster API", a.capi, "Cluster API objects are healthy (or there are none)");
  return out;
}

json
analysis_json(const Analysis& a)
{
  return { { "nodes", findings_json(a.nodes) },    { "pods", findings_json(a.pods) },
           { "images", findings_json(a.images) },  { "events", findings_json(a.events) },
           { "eventsLeftOut", a.events_left_out }, { "clusterAPI", findings_json(a.capi) } };
}

} // namespace ocne::diag
