#include "pkg/libvirt/connection.hpp"

#include "pkg/libvirt/error.hpp"
#include "pkg/libvirt/stats.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdlib>

namespace ocne::libvirt {

Result<Connection>
Connection::open(std::string_view uri)
{
  CallTimer timer;
  OCNE_TRY_ASSIGN(auto parsed, parse_uri(uri));
  return open(parsed);
}

Result<Connection>
Connection::open(const Uri& uri)
{
  CallTimer timer;
  silence_default_error_printing();
  virConnectPtr conn = virConnectOpenAuth(uri.text.c_str(), virConnectAuthPtrDefault, 0);
  if (conn == nullptr) {
    auto error = last_error(fmt::format("cannot connect to libvirt at {}", uri.text));
    const auto hint = start_hint(uri);
    const ErrorKind kind = error.kind() == ErrorKind::auth ? ErrorKind::auth : ErrorKind::unavailable;
    return make_error(kind, "{}{}", error.message(), hint.empty() ? "" : "; " + hint);
  }
  return Connection(detail::Owned<_virConnect>(conn), uri);
}

std::string
Connection::driver_type() const
{
  CallTimer timer;
  const char* type = virConnectGetType(m_handle.get());
  return type != nullptr ? type : "";
}

Result<std::string>
Connection::hostname() const
{
  CallTimer timer;
  char* name = virConnectGetHostname(m_handle.get());
  if (name == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot read the host name of {}", m_uri.text)));
  }
  std::string out = name;
  std::free(name);
  return out;
}

Result<std::string>
Connection::capabilities() const
{
  CallTimer timer;
  char* caps = virConnectGetCapabilities(m_handle.get());
  if (caps == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot read the capabilities of {}", m_uri.text)));
  }
  std::string out = caps;
  std::free(caps);
  return out;
}

Result<std::string>
Connection::domain_capabilities(std::string_view arch, std::string_view machine, std::string_view virttype) const
{
  CallTimer timer;
  const std::string a(arch);
  const std::string m(machine);
  const std::string v(virttype);
  char* caps = virConnectGetDomainCapabilities(m_handle.get(),
                                               nullptr,
                                               a.empty() ? nullptr : a.c_str(),
                                               m.empty() ? nullptr : m.c_str(),
                                               v.empty() ? nullptr : v.c_str(),
                                               0);
  if (caps == nullptr) {
    return tl::unexpected(
      last_error(fmt::format("cannot read the {} domain capabilities of {}", virttype, m_uri.text)));
  }
  std::string out = caps;
  std::free(caps);
  return out;
}

Result<HostMemory>
Connection::host_memory() const
{
  CallTimer timer;
  virNodeInfo info{};
  if (virNodeGetInfo(m_handle.get(), &info) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read the host of {}", m_uri.text)));
  }
  HostMemory out;
  out.total_kib = info.memory;
  int count = 0;
  if (virNodeGetMemoryStats(m_handle.get(), VIR_NODE_MEMORY_STATS_ALL_CELLS, nullptr, &count, 0) == 0 && count > 0) {
    std::vector<virNodeMemoryStats> stats(static_cast<std::size_t>(count));
    if (virNodeGetMemoryStats(m_handle.get(), VIR_NODE_MEMORY_STATS_ALL_CELLS, stats.data(), &count, 0) == 0) {
      for (int i = 0; i < count; ++i) {
        const std::string_view field = stats[static_cast<std::size_t>(i)].field;
        if (field == VIR_NODE_MEMORY_STATS_FREE || field == VIR_NODE_MEMORY_STATS_BUFFERS ||
            field == VIR_NODE_MEMORY_STATS_CACHED) {
          out.available_kib += stats[static_cast<std::size_t>(i)].value;
        }
      }
    }
  }
  virResetLastError();
  return out;
}

Result<std::optional<Pool>>
Connection::find_pool(std::string_view name) const
{
  CallTimer timer;
  const std::string n(name);
  virStoragePoolPtr pool = virStoragePoolLookupByName(m_handle.get(), n.c_str());
  if (pool == nullptr) {
    auto error = last_error(fmt::format("cannot look up storage pool {}", name));
    if (error.kind() == ErrorKind::not_found) {
      return std::optional<Pool>();
    }
    return tl::unexpected(std::move(error));
  }
  return std::optional<Pool>(Pool(detail::Owned<_virStoragePool>(pool)));
}

Result<std::vector<Pool>>
Connection::pools() const
{
  CallTimer timer;
  virStoragePoolPtr* list = nullptr;
  const int n = virConnectListAllStoragePools(m_handle.get(), &list, 0);
  if (n < 0) {
    return tl::unexpected(last_error(fmt::format("cannot list the storage pools of {}", m_uri.text)));
  }
  std::vector<Pool> out;
  for (int i = 0; i < n; ++i) {
    out.emplace_back(detail::Owned<_virStoragePool>(list[i]));
  }
  std::free(list);
  return out;
}

Result<Pool>
Connection::define_pool(std::string_view xml) const
{
  CallTimer timer;
  const std::string text(xml);
  virStoragePoolPtr pool = virStoragePoolDefineXML(m_handle.get(), text.c_str(), 0);
  if (pool == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot define a storage pool on {}", m_uri.text)));
  }
  return Pool(detail::Owned<_virStoragePool>(pool));
}

Result<std::optional<Network>>
Connection::find_network(std::string_view name) const
{
  CallTimer timer;
  const std::string n(name);
  virNetworkPtr net = virNetworkLookupByName(m_handle.get(), n.c_str());
  if (net == nullptr) {
    auto error = last_error(fmt::format("cannot look up network {}", name));
    if (error.kind() == ErrorKind::not_found) {
      return std::optional<Network>();
    }
    return tl::unexpected(std::move(error));
  }
  return std::optional<Network>(Network(detail::Owned<_virNetwork>(net)));
}

Result<std::vector<Network>>
Connection::networks() const
{
  CallTimer timer;
  virNetworkPtr* list = nullptr;
  const int n = virConnectListAllNetworks(m_handle.get(), &list, 0);
  if (n < 0) {
    return tl::unexpected(last_error(fmt::format("cannot list the networks of {}", m_uri.text)));
  }
  std::vector<Network> out;
  for (int i = 0; i < n; ++i) {
    out.emplace_back(detail::Owned<_virNetwork>(list[i]));
  }
  std::free(list);
  return out;
}

Result<Network>
Connection::define_network(std::string_view xml) const
{
  CallTimer timer;
  const std::string text(xml);
  virNetworkPtr net = virNetworkDefineXML(m_handle.get(), text.c_str());
  if (net == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot define a network on {}", m_uri.text)));
  }
  return Network(detail::Owned<_virNetwork>(net));
}

Result<std::optional<Domain>>
Connection::find_domain(std::string_view name) const
{
  CallTimer timer;
  const std::string n(name);
  virDomainPtr dom = virDomainLookupByName(m_handle.get(), n.c_str());
  if (dom == nullptr) {
    auto error = last_error(fmt::format("cannot look up domain {}", name));
    if (error.kind() == ErrorKind::not_found) {
      return std::optional<Domain>();
    }
    return tl::unexpected(std::move(error));
  }
  return std::optional<Domain>(Domain(detail::Owned<_virDomain>(dom)));
}

Result<std::vector<Domain>>
Connection::domains() const
{
  CallTimer timer;
  virDomainPtr* list = nullptr;
  const int n = virConnectListAllDomains(m_handle.get(), &list, 0);
  if (n < 0) {
    return tl::unexpected(last_error(fmt::format("cannot list the domains of {}", m_uri.text)));
  }
  std::vector<Domain> out;
  for (int i = 0; i < n; ++i) {
    out.emplace_back(detail::Owned<_virDomain>(list[i]));
  }
  std::free(list);
  return out;
}

Result<Domain>
Connection::define_domain(std::string_view xml) const
{
  CallTimer timer;
  const std::string text(xml);
  virDomainPtr dom = virDomainDefineXMLFlags(m_handle.get(), text.c_str(), 0);
  if (dom == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot define a domain on {}", m_uri.text)));
  }
  return Domain(detail::Owned<_virDomain>(dom));
}

} // namespace ocne::libvirt
