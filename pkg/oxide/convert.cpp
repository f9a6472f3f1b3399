// Oxide JSON to ocne's structs and back.

#include "pkg/oxide/client_impl.hpp"

namespace ocne::oxide {

namespace {

std::string
str(const json& j, const char* key)
{
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<FirewallEndpoint>
endpoints(const json& list)
{
  std::vector<FirewallEndpoint> out;
  if (list.is_array()) {
    for (const auto& e : list) {
      out.push_back({ e.at("type").get<std::string>(), e.at("value").get<std::string>() });
    }
  }
  return out;
}

json
endpoints_to(const std::vector<FirewallEndpoint>& list)
{
  json out = json::array();
  for (const auto& e : list) {
    out.push_back(json{ { "type", e.type }, { "value", e.value } });
  }
  return out;
}

} // namespace

bool
FirewallRule::same_as(const FirewallRule& o) const
{
  return name == o.name && description == o.description && action == o.action && direction == o.direction &&
         priority == o.priority && status == o.status && targets == o.targets && hosts == o.hosts && ports == o.ports &&
         protocols == o.protocols;
}

Project
project_from(const json& j)
{
  return Project{ j.at("id").get<std::string>(), j.at("name").get<std::string>(), str(j, "description") };
}

Vpc
vpc_from(const json& j)
{
  return Vpc{
    j.at("id").get<std::string>(), j.at("name").get<std::string>(), str(j, "project_id"), str(j, "dns_name")
  };
}

Subnet
subnet_from(const json& j)
{
  return Subnet{ j.at("id").get<std::string>(),
                 j.at("name").get<std::string>(),
                 str(j, "vpc_id"),
                 str(j, "ipv4_block"),
                 str(j, "ipv6_block") };
}

FirewallRule
firewall_rule_from(const json& j)
{
  FirewallRule r;
  r.name = j.at("name").get<std::string>();
  r.description = str(j, "description");
  r.action = j.at("action").get<std::string>();
  r.direction = j.at("direction").get<std::string>();
  r.priority = j.at("priority").get<std::uint16_t>();
  r.status = j.at("status").get<std::string>();
  r.targets = endpoints(j.at("targets"));
  const auto& filters = j.at("filters");
  if (filters.contains("hosts")) {
    r.hosts = endpoints(filters["hosts"]);
  }
  if (filters.contains("ports") && filters["ports"].is_array()) {
    r.ports = filters["ports"].get<std::vector<std::string>>();
  }
  if (filters.contains("protocols") && filters["protocols"].is_array()) {
    for (const auto& p : filters["protocols"]) {
      r.protocols.push_back(p.at("type").get<std::string>());
    }
  }
  // Keep the update-shaped original so unmodelled parts survive a rewrite.
  json update = j;
  for (const char* k : { "id", "vpc_id", "time_created", "time_modified" }) {
    update.erase(k);
  }
  r.raw_json = update.dump();
  return r;
}

json
firewall_rule_to(const FirewallRule& r)
{
  if (!r.raw_json.empty()) {
    // A rule we read and did not change: send it back exactly.
    const auto original = json::parse(r.raw_json);
    if (firewall_rule_from(original).same_as(r)) {
      return original;
    }
  }
  json filters = json::object();
  if (!r.hosts.empty()) {
    filters["hosts"] = endpoints_to(r.hosts);
  }
  if (!r.ports.empty()) {
    filters["ports"] = r.ports;
  }
  if (!r.protocols.empty()) {
    json protocols = json::array();
    for (const auto& p : r.protocols) {
      json entry = { { "type", p } };
      if (p == "icmp" || p == "icmp6") {
        entry["value"] = nullptr; // all ICMP types
      }
      protocols.push_back(entry);
    }
    filters["protocols"] = protocols;
  }
  return json{ { "name", r.name },
               { "description", r.description },
               { "action", r.action },
               { "direction", r.direction },
               { "priority", r.priority },
               { "status", r.status },
               { "targets", endpoints_to(r.targets) },
               { "filters", filters } };
}

Disk
disk_from(const json& j)
{
  Disk d;
  d.id = j.at("id").get<std::string>();
  d.name = j.at("name").get<std::string>();
  d.description = str(j, "description");
  d.project_id = str(j, "project_id");
  d.size = j.at("size").get<std::uint64_t>();
  d.block_size = j.at("block_size").get<std::uint32_t>();
  d.state = j.at("state").at("state").get<std::string>();
  return d;
}

Snapshot
snapshot_from(const json& j)
{
  Snapshot s;
  s.id = j.at("id").get<std::string>();
  s.name = j.at("name").get<std::string>();
  s.project_id = str(j, "project_id");
  s.disk_id = str(j, "disk_id");
  s.size = j.at("size").get<std::uint64_t>();
  s.state = j.at("state").get<std::string>();
  return s;
}

Image
image_from(const json& j)
{
  Image i;
  i.id = j.at("id").get<std::string>();
  i.name = j.at("name").get<std::string>();
  i.description = str(j, "description");
  i.project_id = str(j, "project_id");
  i.os = str(j, "os");
  i.version = str(j, "version");
  i.size = j.at("size").get<std::uint64_t>();
  i.block_size = j.at("block_size").get<std::uint32_t>();
  return i;
}

Instance
instance_from(const json& j)
{
  Instance i;
  i.id = j.at("id").get<std::string>();
  i.name = j.at("name").get<std::string>();
  i.project_id = str(j, "project_id");
  i.hostname = str(j, "hostname");
  i.run_state = j.at("run_state").get<std::string>();
  i.ncpus = j.value("ncpus", 0U);
  i.memory = j.value("memory", std::uint64_t{ 0 });
  return i;
}

FloatingIp
floating_ip_from(const json& j)
{
  FloatingIp f;
  f.id = j.at("id").get<std::string>();
  f.name = j.at("name").get<std::string>();
  f.project_id = str(j, "project_id");
  f.ip = str(j, "ip");
  f.instance_id = str(j, "instance_id");
  return f;
}

} // namespace ocne::oxide
