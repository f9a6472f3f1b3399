#include "pkg/libvirt/domain.hpp"

#include "pkg/libvirt/error.hpp"
#include "pkg/libvirt/stats.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdlib>

namespace ocne::libvirt {

Domain::Domain(detail::Owned<_virDomain> handle) : m_handle(std::move(handle))
{
  const char* name = virDomainGetName(m_handle.get());
  m_name = name != nullptr ? name : "";
}

Result<std::string>
Domain::uuid() const
{
  CallTimer timer;
  char buffer[VIR_UUID_STRING_BUFLEN] = {};
  if (virDomainGetUUIDString(m_handle.get(), buffer) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read the UUID of domain {}", m_name)));
  }
  return std::string(buffer);
}

Result<bool>
Domain::is_active() const
{
  CallTimer timer;
  const int active = virDomainIsActive(m_handle.get());
  if (active < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read domain {}", m_name)));
  }
  return active == 1;
}

Result<std::string>
Domain::xml(bool inactive) const
{
  CallTimer timer;
  char* xml = virDomainGetXMLDesc(m_handle.get(), inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
  if (xml == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot describe domain {}", m_name)));
  }
  std::string out = xml;
  std::free(xml);
  return out;
}

Status
Domain::start()
{
  CallTimer timer;
  if (virDomainCreate(m_handle.get()) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot start domain {}", m_name)));
  }
  return {};
}

Status
Domain::destroy()
{
  CallTimer timer;
  if (virDomainDestroy(m_handle.get()) < 0) {
    auto error = last_error(fmt::format("cannot stop domain {}", m_name));
    // "operation invalid: domain is not running"
    if (error.kind() == ErrorKind::conflict) {
      auto active = is_active();
      if (active && !*active) {
        return {};
      }
    }
    return tl::unexpected(std::move(error));
  }
  return {};
}

Status
Domain::undefine()
{
  CallTimer timer;
  const unsigned flags =
    VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
  if (virDomainUndefineFlags(m_handle.get(), flags) == 0) {
    return {};
  }
  const virErrorPtr raw = virGetLastError();
  const bool flags_unknown = raw != nullptr && (raw->code == VIR_ERR_INVALID_ARG || raw->code == VIR_ERR_NO_SUPPORT);
  if (!flags_unknown) {
    return tl::unexpected(last_error(fmt::format("cannot undefine domain {}", m_name)));
  }
  virResetLastError();
  if (virDomainUndefine(m_handle.get()) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot undefine domain {}", m_name)));
  }
  return {};
}

Result<std::vector<InterfaceAddresses>>
Domain::interface_addresses(AddressSource source) const
{
  CallTimer timer;
  const unsigned raw_source = source == AddressSource::lease   ? VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE
                              : source == AddressSource::agent ? VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT
                                                               : VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP;
  virDomainInterfacePtr* ifaces = nullptr;
  const int n = virDomainInterfaceAddresses(m_handle.get(), &ifaces, raw_source, 0);
  if (n < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read the addresses of domain {}", m_name)));
  }
  std::vector<InterfaceAddresses> out;
  for (int i = 0; i < n; ++i) {
    InterfaceAddresses entry;
    entry.name = ifaces[i]->name != nullptr ? ifaces[i]->name : "";
    entry.mac = ifaces[i]->hwaddr != nullptr ? ifaces[i]->hwaddr : "";
    for (unsigned j = 0; j < ifaces[i]->naddrs; ++j) {
      const auto& a = ifaces[i]->addrs[j];
      entry.addresses.push_back(fmt::format("{}/{}", a.addr != nullptr ? a.addr : "", a.prefix));
    }
    out.push_back(std::move(entry));
    virDomainInterfaceFree(ifaces[i]);
  }
  std::free(ifaces);
  return out;
}

Result<Stream>
Domain::open_console() const
{
  CallTimer timer;
  virStreamPtr stream = virStreamNew(virDomainGetConnect(m_handle.get()), VIR_STREAM_NONBLOCK);
  if (stream == nullptr) {
    return tl::unexpected(last_error("cannot open a libvirt stream"));
  }
  Stream out{ detail::Owned<_virStream>(stream) };
  if (virDomainOpenConsole(m_handle.get(), nullptr, stream, VIR_DOMAIN_CONSOLE_FORCE) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot open the console of domain {}", m_name)));
  }
  return out;
}

} // namespace ocne::libvirt
