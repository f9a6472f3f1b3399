#pragma once

// The Oxide objects ocne reads and writes, with the fields it uses. Names
// follow the API (see ../shared/specs/oxide-nexus.json).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocne::oxide {

struct Project
{
  std::string id;
  std::string name;
  std::string description;
};

struct Vpc
{
  std::string id;
  std::string name;
  std::string project_id;
  std::string dns_name;
};

struct Subnet
{
  std::string id;
  std::string name;
  std::string vpc_id;
  std::string ipv4_block;
  std::string ipv6_block;
};

// A target or host filter: {type: vpc|subnet|instance|ip|ip_net, value}.
struct FirewallEndpoint
{
  std::string type;
  std::string value;

  bool operator==(const FirewallEndpoint&) const = default;
};

struct FirewallRule
{
  std::string name;
  std::string description;
  std::string action = "allow";      // allow | deny
  std::string direction = "inbound"; // inbound | outbound
  std::uint16_t priority = 65534;
  std::string status = "enabled"; // enabled | disabled
  std::vector<FirewallEndpoint> targets;
  std::vector<FirewallEndpoint> hosts; // filter: empty = any host
  std::vector<std::string> ports;      // filter: "6443", "30000-32767"; empty = any
  std::vector<std::string> protocols;  // filter: "tcp", "udp", "icmp"; empty = any
  // The rule as the server sent it (VpcFirewallRuleUpdate fields only), so a
  // read-modify-write passes rules we do not model through unchanged.
  std::string raw_json;

  // Equal in everything ocne models (raw_json is not compared).
  bool same_as(const FirewallRule& other) const;
};

struct DiskState
{
  std::string state; // creating, import_ready, importing_from_bulk_writes, detached, ...
};

struct Disk
{
  std::string id;
  std::string name;
  std::string description;
  std::string project_id;
  std::uint64_t size = 0;
  std::uint32_t block_size = 0;
  std::string state;
};

struct Snapshot
{
  std::string id;
  std::string name;
  std::string project_id;
  std::string disk_id;
  std::uint64_t size = 0;
  std::string state; // creating, ready, faulted, destroyed
};

struct Image
{
  std::string id;
  std::string name;
  std::string description;
  std::string project_id; // empty for a silo image
  std::string os;
  std::string version;
  std::uint64_t size = 0;
  std::uint32_t block_size = 0;
};

struct ImageCreate
{
  std::string name;
  std::string description;
  std::string os;
  std::string version;
  std::string snapshot_id;
};

struct Instance
{
  std::string id;
  std::string name;
  std::string project_id;
  std::string hostname;
  std::string run_state;
  std::uint32_t ncpus = 0;
  std::uint64_t memory = 0;
};

struct FloatingIp
{
  std::string id;
  std::string name;
  std::string project_id;
  std::string ip;
  std::string instance_id; // empty when not attached
};

struct FloatingIpCreate
{
  std::string name;
  std::string description;
  std::string ip;   // explicit address, or empty
  std::string pool; // pool name or id, or empty for the silo default
};

} // namespace ocne::oxide
