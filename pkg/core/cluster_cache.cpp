#include "pkg/core/cluster_cache.hpp"

#include "pkg/core/file_lock.hpp"
#include "pkg/core/fs.hpp"

#include <yaml-cpp/yaml.h>

namespace ocne {

namespace {

Error
cache_error(const std::filesystem::path& file, const YAML::Mark& mark, std::string_view what)
{
  if (mark.line >= 0) {
    return Error(ErrorKind::invalid_input, fmt::format("{}:{}: {}", file.string(), mark.line + 1, what));
  }
  return Error(ErrorKind::invalid_input, fmt::format("{}: {}", file.string(), what));
}

std::string
scalar_or_empty(const YAML::Node& node)
{
  return node && node.IsScalar() ? node.as<std::string>() : std::string();
}

Result<ClusterRecord>
parse_record(const std::filesystem::path& file, const std::string& name, const YAML::Node& node)
{
  if (!node.IsMap()) {
    return tl::unexpected(cache_error(file, node.Mark(), fmt::format("cluster '{}' is not a mapping", name)));
  }
  ClusterRecord record;
  record.name = name;
  record.kubeconfig = scalar_or_empty(node["kubeconfig"]);
  if (const auto config = node["config"]; config && !config.IsNull()) {
    if (!config.IsMap()) {
      return tl::unexpected(
        cache_error(file, config.Mark(), fmt::format("config of cluster '{}' is not a mapping", name)));
    }
    YAML::Emitter out;
    out << config;
    record.config_yaml = out.c_str();
  }
  if (const auto resources = node["resources"]; resources && resources.IsSequence()) {
    for (const auto& r : resources) {
      record.resources.push_back({ scalar_or_empty(r["provider"]),
                                   scalar_or_empty(r["kind"]),
                                   scalar_or_empty(r["id"]),
                                   scalar_or_empty(r["name"]) });
    }
  }
  if (const auto state = node["state"]; state && state.IsMap()) {
    for (const auto& kv : state) {
      record.state[kv.first.as<std::string>()] = scalar_or_empty(kv.second);
    }
  }
  return record;
}

} // namespace

Result<ClusterCache>
ClusterCache::load(const std::filesystem::path& file)
{
  ClusterCache cache;
  cache.m_file = file;
  auto text = fs::read_file(file);
  if (!text) {
    if (text.error().kind() == ErrorKind::not_found) {
      return cache;
    }
    return tl::unexpected(text.error());
  }
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(cache_error(file, e.mark, e.msg));
  }
  if (!root || root.IsNull()) {
    return cache;
  }
  const auto clusters = root["clusters"];
  if (!root.IsMap() || (clusters && !clusters.IsNull() && !clusters.IsMap())) {
    return tl::unexpected(cache_error(file, root.Mark(), "expected 'clusters:' to be a mapping of names"));
  }
  try {
    if (clusters && clusters.IsMap()) {
      for (const auto& kv : clusters) {
        const auto name = kv.first.as<std::string>();
        OCNE_TRY_ASSIGN(auto record, parse_record(file, name, kv.second));
        cache.m_clusters.emplace(name, std::move(record));
      }
    }
  } catch (const YAML::Exception& e) {
    return tl::unexpected(cache_error(file, e.mark, e.msg));
  }
  return cache;
}

Status
ClusterCache::update(const StateDir& dir, const std::function<Status(ClusterCache&)>& change)
{
  OCNE_TRY(dir.ensure());
  OCNE_TRY_ASSIGN(auto lock,
                  FileLock::acquire(dir.locks_dir() / "state.lock", std::chrono::seconds(30), "the ocne state"));
  OCNE_TRY_ASSIGN(auto cache, load(dir.clusters_file()));
  OCNE_TRY(change(cache));
  return cache.save();
}

const ClusterRecord*
ClusterCache::find(std::string_view name) const
{
  const auto it = m_clusters.find(std::string(name));
  return it == m_clusters.end() ? nullptr : &it->second;
}

ClusterRecord*
ClusterCache::find(std::string_view name)
{
  const auto it = m_clusters.find(std::string(name));
  return it == m_clusters.end() ? nullptr : &it->second;
}

Status
ClusterCache::add(ClusterRecord record)
{
  if (m_clusters.count(record.name) != 0) {
    return make_error(ErrorKind::already_exists, "a cluster named '{}' already exists", record.name);
  }
  m_clusters.emplace(record.name, std::move(record));
  return {};
}

void
ClusterCache::put(ClusterRecord record)
{
  auto name = record.name;
  m_clusters.insert_or_assign(std::move(name), std::move(record));
}

bool
ClusterCache::remove(std::string_view name)
{
  return m_clusters.erase(std::string(name)) > 0;
}

namespace {

Result<YAML::Node>
record_node(const ClusterRecord& record)
{
  YAML::Node entry(YAML::NodeType::Map);
  if (!record.config_yaml.empty()) {
    try {
      entry["config"] = YAML::Load(record.config_yaml);
    } catch (const YAML::Exception& e) {
      return make_error(ErrorKind::internal, "config of cluster '{}' is not valid YAML: {}", record.name, e.msg);
    }
  }
  entry["kubeconfig"] = record.kubeconfig;
  if (!record.resources.empty()) {
    YAML::Node resources(YAML::NodeType::Sequence);
    for (const auto& r : record.resources) {
      YAML::Node item(YAML::NodeType::Map);
      item["provider"] = r.provider;
      item["kind"] = r.kind;
      item["id"] = r.id;
      item["name"] = r.name;
      resources.push_back(item);
    }
    entry["resources"] = resources;
  }
  if (!record.state.empty()) {
    YAML::Node state(YAML::NodeType::Map);
    for (const auto& [key, value] : record.state) {
      state[key] = value;
    }
    entry["state"] = state;
  }
  return entry;
}

} // namespace

Result<std::string>
ClusterCache::record_yaml(const ClusterRecord& record)
{
  OCNE_TRY_ASSIGN(auto node, record_node(record));
  YAML::Emitter out;
  out << node;
  return std::string(out.c_str()) + "\n";
}

Status
ClusterCache::save() const
{
  YAML::Node root;
  YAML::Node clusters(YAML::NodeType::Map);
  for (const auto& [name, record] : m_clusters) {
    OCNE_TRY_ASSIGN(auto entry, record_node(record));
    clusters[name] = entry;
  }
  root["clusters"] = clusters;
  YAML::Emitter out;
  out << root;
  std::string text = out.c_str();
  text += '\n';
  if (m_file.has_parent_path()) {
    OCNE_TRY(fs::ensure_dir(m_file.parent_path(), fs::k_private_dir));
  }
  return fs::write_file_atomic(m_file, text, fs::k_private);
}

} // namespace ocne
