#include "pkg/diag/analyze_input.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/capi_resources.hpp"
#include "pkg/diag/node_files.hpp"
#include "pkg/diag/pod_hygiene.hpp"
#include "pkg/k8s/object.hpp"
#include "pkg/k8s/yaml.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>

namespace ocne::diag {

using nlohmann::json;

namespace {

// The list a dump file feeds, by its name without extension.
std::vector<json>*
target_for(ClusterSnapshot& s, const std::string& stem)
{
  if (stem == "nodes") {
    return &s.nodes;
  }
  if (stem == "pods") {
    return &s.pods;
  }
  if (stem == "events") {
    return &s.events;
  }
  if (stem == "clusters.cluster.x-k8s.io") {
    return &s.clusters;
  }
  if (stem == "kubeadmcontrolplanes.controlplane.cluster.x-k8s.io") {
    return &s.control_planes;
  }
  if (stem == "machinedeployments.cluster.x-k8s.io") {
    return &s.machine_deployments;
  }
  if (stem == "machines.cluster.x-k8s.io") {
    return &s.machines;
  }
  return nullptr;
}

std::vector<std::string>
last_lines(const std::string& text, int count)
{
  auto lines = str::split(text, '\n');
  while (!lines.empty() && str::trim(lines.back()).empty()) {
    lines.pop_back();
  }
  if (lines.size() > static_cast<std::size_t>(count)) {
    lines.erase(lines.begin(), lines.end() - count);
  }
  return lines;
}

// A dump's podlogs file: the previous logs between the markers dump.cpp
// writes ("==== START previous logs for container C of pod NS/P ====").
void
add_previous_logs(ClusterSnapshot& s, const std::string& content, int count)
{
  const std::string start = "==== START previous logs for container ";
  std::size_t at = 0;
  while ((at = content.find(start, at)) != std::string::npos) {
    const auto line_end = content.find('\n', at);
    if (line_end == std::string::npos) {
      return;
    }
    const auto header = content.substr(at + start.size(), line_end - at - start.size()); // "C of pod NS/P ===="
    const auto of = header.find(" of pod ");
    const auto tail = header.rfind(" ====");
    const auto end_marker = "==== END previous logs for container " + header.substr(0, tail);
    const auto end = content.find(end_marker, line_end);
    if (of == std::string::npos || tail == std::string::npos || end == std::string::npos) {
      return;
    }
    const auto key = header.substr(of + 8, tail - of - 8) + "/" + header.substr(0, of);
    s.previous_logs[key] = last_lines(content.substr(line_end + 1, end - line_end - 1), count);
    at = end;
  }
}

// Adds what analyze reads of one dump file: resource lists, node files,
// previous logs.
Status
add_file(ClusterSnapshot& s, const std::string& relative, const std::string& content)
{
  if (str::starts_with(relative, "nodes/")) {
    const auto parts = str::split(relative, '/');
    if (parts.size() == 3 && !parts[1].empty() && !parts[2].empty()) {
      s.node_files[parts[1]][parts[2]] = content;
    }
    return {};
  }
  if (!str::starts_with(relative, "cluster/")) {
    return {};
  }
  if (relative.find("/podlogs/") != std::string::npos) {
    add_previous_logs(s, content, LiveOptions{}.log_lines);
    return {};
  }
  const auto name = std::filesystem::path(relative).filename().string();
  std::string stem;
  if (str::ends_with(name, ".yaml")) {
    stem = name.substr(0, name.size() - 5);
  } else if (str::ends_with(name, ".json")) {
    stem = name.substr(0, name.size() - 5);
  } else {
    return {};
  }
  auto* target = target_for(s, stem);
  if (target == nullptr) {
    return {};
  }
  OCNE_TRY_ASSIGN(auto doc, k8s::parse_yaml(content, relative)); // JSON is YAML too
  if (!doc.contains("items") || !doc["items"].is_array()) {
    return make_error(ErrorKind::invalid_input, "{}: not a List of objects", relative);
  }
  for (auto& item : doc["items"]) {
    target->push_back(std::move(item));
  }
  return {};
}

struct ReadDeleter
{
  void
  operator()(archive* a) const
  {
    archive_read_free(a);
  }
};

Result<ClusterSnapshot>
from_archive(const fs::Path& path)
{
  ClusterSnapshot s;
  std::unique_ptr<archive, ReadDeleter> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return make_error(ErrorKind::invalid_input, "{}: {}", path.string(), archive_error_string(a.get()));
  }
  archive_entry* e = nullptr;
  int r = ARCHIVE_OK;
  bool any = false;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    if (archive_entry_filetype(e) != AE_IFREG) {
      continue;
    }
    std::string name = archive_entry_pathname(e);
    while (str::starts_with(name, "./")) {
      name = name.substr(2);
    }
    std::string content;
    char buffer[1 << 16];
    la_ssize_t n = 0;
    while ((n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0) {
      content.append(buffer, static_cast<std::size_t>(n));
    }
    if (n < 0) {
      return make_error(ErrorKind::invalid_input, "{}: {}: {}", path.string(), name, archive_error_string(a.get()));
    }
    any = any || str::starts_with(name, "cluster/");
    OCNE_TRY(add_file(s, name, content).map_error([&](const Error& err) { return err.with_context(path.string()); }));
  }
  if (r != ARCHIVE_EOF) {
    return make_error(ErrorKind::invalid_input, "{}: {}", path.string(), archive_error_string(a.get()));
  }
  if (!any) {
    return make_error(ErrorKind::invalid_input, "{}: not an ocne cluster dump (no cluster/ folder)", path.string());
  }
  return s;
}

} // namespace

Result<ClusterSnapshot>
snapshot_from_dump(const fs::Path& path)
{
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return make_error(ErrorKind::not_found, "{}: no such file or folder", path.string());
  }
  if (!std::filesystem::is_directory(path, ec)) {
    return from_archive(path);
  }
  if (!std::filesystem::is_directory(path / "cluster", ec)) {
    return make_error(ErrorKind::invalid_input, "{}: not an ocne cluster dump (no cluster/ folder)", path.string());
  }
  ClusterSnapshot s;
  std::vector<std::filesystem::path> files;
  for (const char* top : { "cluster", "nodes" }) {
    if (!std::filesystem::is_directory(path / top, ec)) {
      continue;
    }
    for (const auto& e : std::filesystem::recursive_directory_iterator(path / top, ec)) {
      if (e.is_regular_file()) {
        files.push_back(e.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    OCNE_TRY_ASSIGN(auto content, fs::read_file(f));
    OCNE_TRY(add_file(s, std::filesystem::relative(f, path).string(), content));
  }
  return s;
}

Result<ClusterSnapshot>
snapshot_live(k8s::Client& client, const LiveOptions& options)
{
  ClusterSnapshot s;
  OCNE_TRY_ASSIGN(auto nodes, client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
  s.nodes = std::move(nodes.items);
  OCNE_TRY_ASSIGN(auto pods, client.list(k8s::GroupVersionKind{ "", "v1", "Pod" }));
  s.pods = std::move(pods.items);
  OCNE_TRY_ASSIGN(auto events, client.list(k8s::GroupVersionKind{ "", "v1", "Event" }));
  s.events = std::move(events.items);
  OCNE_TRY_ASSIGN(auto capi, list_capi(client, { "Cluster", "KubeadmControlPlane", "MachineDeployment", "Machine" }));
  for (auto& o : capi) {
    const auto kind = k8s::string_at(o, "/kind");
    auto* target = kind == "Cluster"               ? &s.clusters
                   : kind == "KubeadmControlPlane" ? &s.control_planes
                   : kind == "MachineDeployment"   ? &s.machine_deployments
                                                   : &s.machines;
    target->push_back(std::move(o));
  }
  if (options.pod_logs) {
    for (const auto& pod : s.pods) {
      if (is_ocne_pod(pod)) {
        continue;
      }
      const auto ns = k8s::string_at(pod, "/metadata/namespace");
      const auto name = k8s::string_at(pod, "/metadata/name");
      const auto st = pod.value("status", json::object());
      for (const char* field : { "initContainerStatuses", "containerStatuses" }) {
        for (const auto& c : st.value(field, json::array())) {
          if (c.value("ready", false) || !c.contains("lastState") || !c["lastState"].contains("terminated")) {
            continue;
          }
          const auto container = c.value("name", "");
          auto text =
            client.pod_log(ns, name, { .container = container, .previous = true, .tail_lines = options.log_lines });
          if (text) {
            s.previous_logs[ns + "/" + name + "/" + container] = last_lines(*text, options.log_lines);
          } else if (text.error().kind() == ErrorKind::cancelled) {
            return make_error(text.error());
          } else {
            log::warn("analyze: previous log of {}/{} container {}: {}", ns, name, container, text.error().message());
          }
        }
      }
    }
  }
  if (options.node_files) {
    NodeFilesOptions o;
    o.set = NodeFileSet::summary;
    o.purpose = "analyze";
    if (!options.node_image.empty()) {
      o.image = options.node_image;
    }
    OCNE_TRY(collect_node_files(
      client,
      o,
      [&](const std::string& node, const std::string& file, std::string content) -> Status {
        s.node_files[node][file] = std::move(content);
        return {};
      },
      [](const std::string& what, const std::string& why) { log::warn("analyze: {}: {}", what, why); }));
  }
  return s;
}

} // namespace ocne::diag
