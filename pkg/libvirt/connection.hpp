#pragma once

// A connection to a libvirt daemon (or the in-process test driver), and the
// lookups and definitions of pools, networks and domains on it. Objects
// handed out stay valid after the Connection is gone (libvirt counts
// references).

#include "pkg/core/error.hpp"
#include "pkg/libvirt/domain.hpp"
#include "pkg/libvirt/handles.hpp"
#include "pkg/libvirt/network.hpp"
#include "pkg/libvirt/storage.hpp"
#include "pkg/libvirt/uri.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocne::libvirt {

struct HostMemory
{
  std::uint64_t total_kib = 0;
  // free + buffers + page cache (what new guests can get without swapping);
  // 0 when the driver cannot tell.
  std::uint64_t available_kib = 0;
};

class Connection
{
public:
  // Errors name the URI and, when the daemon is not reachable, say how to
  // start it: "cannot connect to libvirt at qemu:///system: ...; start it with ...".
  static Result<Connection> open(const Uri& uri);
  static Result<Connection> open(std::string_view uri);

  const Uri&
  uri() const
  {
    return m_uri;
  }
  // "QEMU", "TEST", ...
  std::string driver_type() const;
  Result<std::string> hostname() const;
  Result<std::string> capabilities() const;
  // virttype "kvm" or "qemu"; fails when the hypervisor cannot run it.
  Result<std::string> domain_capabilities(std::string_view arch,
                                          std::string_view machine,
                                          std::string_view virttype) const;
  Result<HostMemory> host_memory() const;

  Result<std::optional<Pool>> find_pool(std::string_view name) const;
  Result<std::vector<Pool>> pools() const;
  // Defines a persistent pool from XML.
  Result<Pool> define_pool(std::string_view xml) const;

  Result<std::optional<Network>> find_network(std::string_view name) const;
  Result<std::vector<Network>> networks() const;
  Result<Network> define_network(std::string_view xml) const;

  Result<std::optional<Domain>> find_domain(std::string_view name) const;
  // Every domain, running or not.
  Result<std::vector<Domain>> domains() const;
  Result<Domain> define_domain(std::string_view xml) const;

  _virConnect*
  raw() const
  {
    return m_handle.get();
  }

private:
  Connection(detail::Owned<_virConnect> handle, Uri uri) : m_handle(std::move(handle)), m_uri(std::move(uri))
  {
  }
  detail::Owned<_virConnect> m_handle;
  Uri m_uri;
};

} // namespace ocne::libvirt
