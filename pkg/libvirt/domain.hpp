#pragma once

// Domains (virtual machines).

#include "pkg/core/error.hpp"
#include "pkg/libvirt/handles.hpp"
#include "pkg/libvirt/stream.hpp"

#include <string>
#include <vector>

namespace ocne::libvirt {

struct InterfaceAddresses
{
  std::string name; // host-side device (vnet0) or guest name
  std::string mac;
  std::vector<std::string> addresses; // "ip/prefix"
};

enum class AddressSource { lease, agent, arp };

class Domain
{
public:
  explicit Domain(detail::Owned<_virDomain> handle);

  const std::string&
  name() const
  {
    return m_name;
  }
  Result<std::string> uuid() const;
  Result<bool> is_active() const;
  // The domain's XML (inactive = the persistent definition).
  Result<std::string> xml(bool inactive = false) const;
  // Boots it.
  Status start();
  // Powers it off at once; a domain that is not running is not an error.
  Status destroy();
  // Removes the definition, its NVRAM and managed save image (drivers that
  // do not know the NVRAM flag are asked without it).
  Status undefine();
  Result<std::vector<InterfaceAddresses>> interface_addresses(AddressSource source = AddressSource::lease) const;
  // The serial console as a non-blocking stream.
  Result<Stream> open_console() const;

private:
  detail::Owned<_virDomain> m_handle;
  std::string m_name;
};

} // namespace ocne::libvirt
