#pragma once

// ~/.ocne/ips.yaml: the virtual IPs and forwarded API ports ocne handed out
// per libvirt host, so two clusters on one host never get the same ones
// (ocne's file and format):
//
//   hosts:
//     <libvirt host>: {ips: {<ip>: true}, ports: {<port>: true}}
//   clusters:
//     <name>: {host: <libvirt host>, ip: <ip>, port: <port>}
//
// Changes happen under the state lock, so parallel runs do not collide.

#include "pkg/core/error.hpp"
#include "pkg/core/state_dir.hpp"

#include <functional>
#include <optional>
#include <set>
#include <string>

namespace ocne::providers::libvirt {

struct Allocation
{
  std::string host;
  std::string ip; // empty when the cluster needs none
  unsigned port = 0;
};

struct AllocationRequest
{
  std::string cluster;
  std::string host;
  // Picks the virtual IP from the addresses taken on this host; empty
  // function = no IP is allocated (user networking, configured VIP or LB).
  std::function<Result<std::string>(const std::set<std::string>& taken)> pick_ip;
  // Whether a port is usable beyond the bookkeeping (free on this machine);
  // empty = any port not recorded.
  std::function<bool(unsigned port)> port_usable;
  unsigned first_port = 6443;
};

class AddressBook
{
public:
  explicit AddressBook(StateDir state) : m_state(std::move(state))
  {
  }

  std::filesystem::path
  file() const
  {
    return m_state.root() / "ips.yaml";
  }

  // Allocates (or returns the existing allocation of) a cluster.
  Result<Allocation> allocate(const AllocationRequest& request) const;
  Result<std::optional<Allocation>> find(std::string_view cluster) const;
  // Frees what the cluster holds; a cluster without entry is fine.
  Status release(std::string_view cluster) const;

private:
  StateDir m_state;
};

} // namespace ocne::providers::libvirt
