#pragma once

// What the driver needs to know about the libvirt host: the guest
// architecture, whether KVM really works there (a /dev/kvm without hardware
// virtualisation, as on nested cloud VMs, makes libvirt advertise kvm that
// cannot boot ordinary guests), the address the API port forward binds on,
// and memory.

#include "pkg/core/error.hpp"
#include "pkg/libvirt/connection.hpp"

#include <string>

namespace ocne::providers::libvirt {

struct HostFacts
{
  std::string arch;        // x86_64 or aarch64
  std::string domain_type; // kvm or qemu
  std::string why_not_kvm; // set when domain_type is qemu by detection
  ocne::libvirt::HostMemory memory;
};

// forced_type / forced_arch: "" = detect.
Result<HostFacts> detect_host(const ocne::libvirt::Connection& connection,
                              std::string_view forced_type,
                              std::string_view forced_arch);

// Picks the domain type from capabilities XML (split out for tests).
struct DomainTypeChoice
{
  std::string type;
  std::string reason; // why not kvm
};
DomainTypeChoice choose_domain_type(std::string_view capabilities_xml, std::string_view arch);

// The address the libvirt host is reached on from here: 127.0.0.1 for a local
// daemon, else the first IPv4 (then IPv6) address of the URI's host.
Result<std::string> host_address(const ocne::libvirt::Uri& uri);

// Whether a TCP port can be bound on address here (for local daemons).
bool port_is_free(const std::string& address, unsigned port);

} // namespace ocne::providers::libvirt
