#include "providers/libvirt/address_book.hpp"

#include "pkg/core/file_lock.hpp"
#include "pkg/core/fs.hpp"

#include <yaml-cpp/yaml.h>

#include <map>

namespace ocne::providers::libvirt {

namespace {

struct Book
{
  std::map<std::string, std::pair<std::set<std::string>, std::set<unsigned>>> hosts;
  std::map<std::string, Allocation> clusters;
};

Result<Book>
load(const fs::Path& file)
{
  Book book;
  auto text = fs::read_file(file);
  if (!text) {
    if (text.error().kind() == ErrorKind::not_found) {
      return book;
    }
    return tl::unexpected(text.error());
  }
  try {
    const YAML::Node root = YAML::Load(*text);
    if (!root || root.IsNull()) {
      return book;
    }
    if (const auto hosts = root["hosts"]; hosts && hosts.IsMap()) {
      for (const auto& h : hosts) {
        auto& entry = book.hosts[h.first.as<std::string>()];
        if (const auto ips = h.second["ips"]; ips && ips.IsMap()) {
          for (const auto& ip : ips) {
            if (ip.second.as<bool>(true)) {
              entry.first.insert(ip.first.as<std::string>());
            }
          }
        }
        if (const auto ports = h.second["ports"]; ports && ports.IsMap()) {
          for (const auto& port : ports) {
            if (port.second.as<bool>(true)) {
              entry.second.insert(port.first.as<unsigned>());
            }
          }
        }
      }
    }
    if (const auto clusters = root["clusters"]; clusters && clusters.IsMap()) {
      for (const auto& c : clusters) {
        Allocation a;
        a.host = c.second["host"] ? c.second["host"].as<std::string>() : "";
        a.ip = c.second["ip"] ? c.second["ip"].as<std::string>() : "";
        a.port = c.second["port"] ? c.second["port"].as<unsigned>() : 0;
        book.clusters[c.first.as<std::string>()] = a;
      }
    }
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::invalid_input, "{}:{}: {}", file.string(), e.mark.line + 1, e.msg);
  }
  return book;
}

Status
save(const fs::Path& file, const Book& book)
{
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "hosts" << YAML::Value << YAML::BeginMap;
  for (const auto& [host, entry] : book.hosts) {
    if (entry.first.empty() && entry.second.empty()) {
      continue;
    }
    out << YAML::Key << host << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "ips" << YAML::Value << YAML::BeginMap;
    for (const auto& ip : entry.first) {
      out << YAML::Key << ip << YAML::Value << true;
    }
    out << YAML::EndMap << YAML::Key << "ports" << YAML::Value << YAML::BeginMap;
    for (const auto port : entry.second) {
      out << YAML::Key << port << YAML::Value << true;
    }
    out << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::Key << "clusters" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, a] : book.clusters) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "host" << YAML::Value << a.host;
    out << YAML::Key << "ip" << YAML::Value << a.ip;
    out << YAML::Key << "port" << YAML::Value << a.port;
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  return fs::write_file_atomic(file, std::string(out.c_str()) + "\n", fs::k_private);
}

Result<FileLock>
lock(const StateDir& state)
{
  OCNE_TRY(state.ensure());
  OCNE_TRY(fs::ensure_dir(state.locks_dir(), fs::k_private_dir));
  return FileLock::acquire(state.locks_dir() / "state.lock", std::chrono::seconds(30), "the ocne state");
}

} // namespace

Result<Allocation>
AddressBook::allocate(const AllocationRequest& request) const
{
  OCNE_TRY_ASSIGN(auto held, lock(m_state));
  OCNE_TRY_ASSIGN(auto book, load(file()));
  if (const auto it = book.clusters.find(request.cluster); it != book.clusters.end()) {
    return it->second;
  }
  auto& host = book.hosts[request.host];
  Allocation a;
  a.host = request.host;
  if (request.pick_ip) {
    OCNE_TRY_ASSIGN(a.ip, request.pick_ip(host.first));
  }
  for (unsigned port = request.first_port; port <= 65535; ++port) {
    if (host.second.count(port) == 0 && (!request.port_usable || request.port_usable(port))) {
      a.port = port;
      break;
    }
  }
  if (a.port == 0) {
    return make_error(
      ErrorKind::unavailable, "no free port from {} on {} for the Kubernetes API", request.first_port, request.host);
  }
  if (!a.ip.empty()) {
    host.first.insert(a.ip);
  }
  host.second.insert(a.port);
  book.clusters[request.cluster] = a;
  OCNE_TRY(save(file(), book));
  return a;
}

Result<std::optional<Allocation>>
AddressBook::find(std::string_view cluster) const
{
  OCNE_TRY_ASSIGN(auto book, load(file()));
  const auto it = book.clusters.find(std::string(cluster));
  if (it == book.clusters.end()) {
    return std::optional<Allocation>();
  }
  return std::optional<Allocation>(it->second);
}

Status
AddressBook::release(std::string_view cluster) const
{
  OCNE_TRY_ASSIGN(auto held, lock(m_state));
  OCNE_TRY_ASSIGN(auto book, load(file()));
  const auto it = book.clusters.find(std::string(cluster));
  if (it == book.clusters.end()) {
    return {};
  }
  auto& host = book.hosts[it->second.host];
  host.first.erase(it->second.ip);
  host.second.erase(it->second.port);
  book.clusters.erase(it);
  return save(file(), book);
}

} // namespace ocne::providers::libvirt
