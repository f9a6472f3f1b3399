#include "pkg/diag/dump.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/dump_select.hpp"
#include "pkg/diag/info.hpp"
#include "pkg/diag/node_files.hpp"
#include "pkg/diag/node_pod.hpp"
#include "pkg/diag/pod_hygiene.hpp"
#include "pkg/diag/redact.hpp"
#include "pkg/k8s/object.hpp"
#include "pkg/k8s/yaml.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace ocne::diag {

using nlohmann::json;

std::string
resource_file_name(const k8s::ResourceMapping& m)
{
  return m.gvk.group.empty() ? m.resource : m.resource + "." + m.gvk.group;
}

Status
check_dump_options(const DumpOptions& o)
{
  const auto both = [](const char* a, const char* b) {
    return make_error(ErrorKind::invalid_input, "{} and {} cannot be used together", a, b);
  };
  if (o.skip_cluster && o.curated) {
    return both("--skip-cluster", "--curated-resources");
  }
  if (o.skip_cluster && !o.namespaces.empty()) {
    return both("--skip-cluster", "--namespaces");
  }
  if (o.skip_cluster && o.include_configmaps) {
    return both("--skip-cluster", "--include-configmaps");
  }
  if (o.curated && o.include_configmaps) {
    return both("--curated-resources", "--include-configmaps");
  }
  return {};
}

namespace {

class Dumper
{
public:
  Dumper(k8s::Client& client, const DumpOptions& options, DumpSink& sink)
    : m_client(client), m_options(options), m_sink(sink)
  {
  }

  Result<DumpReport>
  run()
  {
    OCNE_TRY(check_dump_options(m_options));
    OCNE_TRY_ASSIGN(auto nodes, m_client.list(k8s::GroupVersionKind{ "", "v1", "Node" }));
    std::vector<std::string> node_names;
    for (const auto& n : nodes.items) {
      node_names.push_back(k8s::string_at(n, "/metadata/name"));
    }
    OCNE_TRY(check_named("node", m_options.nodes, node_names));
    if (!m_options.namespaces.empty()) {
      OCNE_TRY_ASSIGN(auto namespaces, m_client.list(k8s::GroupVersionKind{ "", "v1", "Namespace" }));
      std::vector<std::string> names;
      for (const auto& n : namespaces.items) {
        names.push_back(k8s::string_at(n, "/metadata/name"));
      }
      OCNE_TRY(check_named("namespace", m_options.namespaces, names));
    }
    if (m_options.redact) {
      m_redactor.emplace(node_names);
    }
    if (!m_options.skip_nodes) {
      // ocne-system made and leftovers swept before the resources are
      // read, so the dump shows the cluster as the node part leaves it.
      OCNE_TRY(prepare_node_pods(m_client));
    }
    if (!m_options.skip_cluster) {
      OCNE_TRY(dump_resources());
      if (!m_options.skip_pod_logs) {
        OCNE_TRY(dump_logs());
      }
    }
    if (!m_options.skip_nodes) {
      OCNE_TRY(dump_nodes());
    }
    if (!m_options.skip_cluster) {
      auto info = collect_info(m_client, {});
      if (info) {
        // Names redacted before the table is laid out, so its columns stay aligned.
        for (auto& n : info->nodes) {
          if (const auto at = m_node_files.find(n.name); at != m_node_files.end()) {
            add_node_details(n, node_details(at->second));
          }
          n.name = clean(n.name);
        }
        OCNE_TRY(emit("cluster-info.out", format_info(*info)));
      } else {
        warn("cluster info", info.error().message());
      }
    }
    if (!m_report.warnings.empty()) {
      OCNE_TRY(emit("dump-errors.txt", str::join(m_report.warnings, "\n") + "\n"));
    }
    OCNE_TRY(m_sink.finish());
    if (m_redactor) {
      m_report.redaction_map_csv = m_redactor->map_csv();
      m_report.redactions = static_cast<int>(m_redactor->redactions().size());
    }
    return m_report;
  }

private:
  Status
  check_named(const char* what, const std::vector<std::string>& wanted, const std::vector<std::string>& existing)
  {
    std::vector<std::string> missing;
    for (const auto& w : wanted) {
      if (std::find(existing.begin(), existing.end(), w) == existing.end()) {
        missing.push_back(w);
      }
    }
    if (!missing.empty()) {
      return make_error(ErrorKind::invalid_input, "no such {}: {}", what, str::join(missing, ", "));
    }
    return {};
  }

  void
  warn(const std::string& what, const std::string& why)
  {
    log::warn("dump: {}: {}", what, why);
    m_report.warnings.push_back(what + ": " + why);
  }

  std::string
  clean(const std::string& text)
  {
    return m_redactor ? m_redactor->redact(text) : text;
  }

  Status
  emit(const std::string& relative, const std::string& content)
  {
    if (interrupted()) {
      return make_error(ErrorKind::cancelled, "interrupted");
    }
    // Paths carry names too (a static pod's name holds its node's).
    OCNE_TRY(m_sink.put(clean(relative), clean(content)));
    ++m_report.files;
    return {};
  }

  std::string
  serialize(std::vector<json> items)
  {
    for (auto& item : items) {
      if (!m_options.keep_managed_fields && item.contains("metadata") && item["metadata"].is_object()) {
        item["metadata"].erase("managedFields");
      }
    }
    json list = { { "apiVersion", "v1" }, { "kind", "List" }, { "items", std::move(items) } };
    return m_options.json ? list.dump(2) + "\n" : k8s::to_yaml(list);
  }

  Status
  dump_resources()
  {
    OCNE_TRY_ASSIGN(auto discovered, m_client.api_resources());
    const auto selected = select_resources(discovered, m_options);
    const std::string ext = m_options.json ? ".json" : ".yaml";
    for (const auto& m : selected) {
      std::vector<json> items;
      const std::vector<std::string> scopes =
        m.namespaced && !m_options.namespaces.empty() ? m_options.namespaces : std::vector<std::string>{ "" };
      bool failed = false;
      for (const auto& ns : scopes) {
        auto list = m_client.list(m.gvk, { .namespace_ = ns });
        if (!list) {
          if (list.error().kind() == ErrorKind::cancelled) {
            return make_error(list.error());
          }
          warn(resource_file_name(m), list.error().message());
          failed = true;
          break;
        }
        items.insert(
          items.end(), std::make_move_iterator(list->items.begin()), std::make_move_iterator(list->items.end()));
      }
      if (failed || items.empty()) {
        continue;
      }
      m_report.objects += static_cast<int>(items.size());
      if (!m.namespaced) {
        OCNE_TRY(emit("cluster/cluster-wide/" + resource_file_name(m) + ext, serialize(std::move(items))));
        continue;
      }
      std::map<std::string, std::vector<json>> by_namespace;
      for (auto& item : items) {
        by_namespace[k8s::string_at(item, "/metadata/namespace")].push_back(std::move(item));
      }
      for (auto& [ns, list] : by_namespace) {
        std::sort(list.begin(), list.end(), [](const json& a, const json& b) {
          return k8s::string_at(a, "/metadata/name") < k8s::string_at(b, "/metadata/name");
        });
        OCNE_TRY(emit("cluster/namespaces/" + ns + "/" + resource_file_name(m) + ext, serialize(std::move(list))));
      }
    }
    return {};
  }

  // One container's log, or nullopt when there is none to read.
  std::optional<std::string>
  read_log(const std::string& ns, const std::string& pod, const std::string& container, bool previous)
  {
    auto text = m_client.pod_log(
      ns, pod, { .container = container, .previous = previous, .limit_bytes = m_options.log_limit_bytes });
    if (!text) {
      warn(fmt::format("logs of {}/{} container {}{}", ns, pod, container, previous ? " (previous)" : ""),
           text.error().message());
      return std::nullopt;
    }
    ++m_report.logs;
    return std::move(*text);
  }

  Status
  dump_logs()
  {
    const std::vector<std::string> scopes =
      m_options.namespaces.empty() ? std::vector<std::string>{ "" } : m_options.namespaces;
    std::vector<json> pods;
    for (const auto& ns : scopes) {
      OCNE_TRY_ASSIGN(auto list, m_client.list(k8s::GroupVersionKind{ "", "v1", "Pod" }, { .namespace_ = ns }));
      pods.insert(pods.end(), list.items.begin(), list.items.end());
    }
    std::sort(pods.begin(), pods.end(), [](const json& a, const json& b) {
      return std::pair(k8s::string_at(a, "/metadata/namespace"), k8s::string_at(a, "/metadata/name")) <
             std::pair(k8s::string_at(b, "/metadata/namespace"), k8s::string_at(b, "/metadata/name"));
    });
    for (const auto& pod : pods) {
      if (is_ocne_pod(pod)) {
        continue; // ocne's own helpers say nothing about the cluster
      }
      const auto ns = k8s::string_at(pod, "/metadata/namespace");
      const auto name = k8s::string_at(pod, "/metadata/name");
      std::string text;
      for (const auto& [spec_field, status_field] :
           { std::pair("initContainers", "initContainerStatuses"), std::pair("containers", "containerStatuses") }) {
        const auto specs = pod.contains("spec") ? pod["spec"].value(spec_field, json::array()) : json::array();
        const auto statuses = pod.contains("status") ? pod["status"].value(status_field, json::array()) : json::array();
        for (const auto& c : specs) {
          const auto container = c.value("name", "");
          const json* status = nullptr;
          for (const auto& s : statuses) {
            if (s.value("name", "") == container) {
              status = &s;
            }
          }
          if (status == nullptr) {
            continue; // never started: the kubelet has no log
          }
          const auto marker = fmt::format("container {} of pod {}/{}", container, ns, name);
          const bool started = status->contains("state") && !(*status)["state"].contains("waiting");
          const bool restarted = status->contains("lastState") && (*status)["lastState"].contains("terminated");
          if (restarted) {
            if (auto log = read_log(ns, name, container, true)) {
              text += fmt::format("==== START previous logs for {} ====\n{}{}==== END previous logs for {} ====\n",
                                  marker,
                                  *log,
                                  log->empty() || log->back() == '\n' ? "" : "\n",
                                  marker);
            }
          }
          if (started) {
            if (auto log = read_log(ns, name, container, false)) {
              text += fmt::format("==== START logs for {} ====\n{}{}==== END logs for {} ====\n",
                                  marker,
                                  *log,
                                  log->empty() || log->back() == '\n' ? "" : "\n",
                                  marker);
            }
          }
        }
      }
      if (!text.empty()) {
        OCNE_TRY(emit("cluster/namespaces/" + ns + "/podlogs/" + name + ".txt", text));
      }
    }
    return {};
  }

  Status
  dump_nodes()
  {
    NodeFilesOptions o;
    o.nodes = m_options.nodes;
    o.set = NodeFileSet::full;
    o.purpose = "dump";
    if (!m_options.node_image.empty()) {
      o.image = m_options.node_image;
    }
    return collect_node_files(
      m_client,
      o,
      [this](const std::string& node, const std::string& file, std::string content) -> Status {
        OCNE_TRY(emit("nodes/" + node + "/" + file, content));
        for (const auto& f : node_files()) {
          if (f.name == file && f.summary) {
            m_node_files[node][file] = std::move(content);
          }
        }
        return {};
      },
      [this](const std::string& what, const std::string& why) { warn(what, why); });
  }

  k8s::Client& m_client;
  const DumpOptions& m_options;
  DumpSink& m_sink;
  std::optional<Redactor> m_redactor;
  DumpReport m_report;
  // Each node's files (unredacted) for cluster-info.out.
  std::map<std::string, std::map<std::string, std::string>> m_node_files;
};

} // namespace

Result<DumpReport>
dump_cluster(k8s::Client& client, const DumpOptions& options, DumpSink& sink)
{
  return Dumper(client, options, sink).run();
}

} // namespace ocne::diag
