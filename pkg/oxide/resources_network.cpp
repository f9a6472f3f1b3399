// Projects, VPCs, subnets and firewall rules.

#include "pkg/oxide/client_impl.hpp"

namespace ocne::oxide {

namespace {

std::string
q(const std::string& s)
{
  return "\"" + s + "\"";
}

} // namespace

Result<std::vector<Project>>
Client::list_projects()
{
  const std::string what = "list projects";
  OCNE_TRY_ASSIGN(const auto items, m_impl->list("/v1/projects", {}, what));
  return decode_all<Project>(items, project_from, what);
}

Result<Project>
Client::get_project(const std::string& name_or_id)
{
  const std::string what = "look up project " + q(name_or_id);
  OCNE_TRY_ASSIGN(
    const auto j,
    m_impl->call(Call{ .path = "/v1/projects/" + http::url_encode(name_or_id), .idempotent = true, .what = what }));
  return decode<Project>(j, project_from, what);
}

Result<Project>
Client::create_project(const std::string& name, const std::string& description)
{
  const std::string what = "create project " + q(name);
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .method = "POST",
                                     .path = "/v1/projects",
                                     .body = json{ { "name", name }, { "description", description } }.dump(),
                                     .what = what }));
  return decode<Project>(j, project_from, what);
}

Status
Client::delete_project(const std::string& name_or_id)
{
  OCNE_TRY(m_impl->call(Call{ .method = "DELETE",
                              .path = "/v1/projects/" + http::url_encode(name_or_id),
                              .idempotent = true,
                              .what = "delete project " + q(name_or_id) }));
  return {};
}

Result<std::vector<Vpc>>
Client::list_vpcs(const std::string& project)
{
  const std::string what = "list VPCs in project " + q(project);
  OCNE_TRY_ASSIGN(const auto items, m_impl->list("/v1/vpcs", { { "project", project } }, what));
  return decode_all<Vpc>(items, vpc_from, what);
}

Result<Vpc>
Client::get_vpc(const std::string& project, const std::string& name_or_id)
{
  const std::string what = "look up VPC " + q(name_or_id) + " in project " + q(project);
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .path = "/v1/vpcs/" + http::url_encode(name_or_id),
                                     .query = selector(project, name_or_id),
                                     .idempotent = true,
                                     .what = what }));
  return decode<Vpc>(j, vpc_from, what);
}

Result<Vpc>
Client::create_vpc(const std::string& project, const std::string& name, const std::string& description)
{
  const std::string what = "create VPC " + q(name) + " in project " + q(project);
  OCNE_TRY_ASSIGN(
    const auto j,
    m_impl->call(Call{ .method = "POST",
                       .path = "/v1/vpcs",
                       .query = { { "project", project } },
                       .body = json{ { "name", name }, { "description", description }, { "dns_name", name } }.dump(),
                       .what = what }));
  return decode<Vpc>(j, vpc_from, what);
}

Result<std::vector<Subnet>>
Client::list_subnets(const std::string& project, const std::string& vpc)
{
  const std::string what = "list subnets of VPC " + q(vpc) + " in project " + q(project);
  auto query = selector(project, vpc);
  query.emplace_back("vpc", vpc);
  OCNE_TRY_ASSIGN(const auto items, m_impl->list("/v1/vpc-subnets", query, what));
  return decode_all<Subnet>(items, subnet_from, what);
}

Result<Subnet>
Client::get_subnet(const std::string& project, const std::string& vpc, const std::string& name_or_id)
{
  const std::string what = "look up subnet " + q(name_or_id) + " of VPC " + q(vpc) + " in project " + q(project);
  http::QueryParams query;
  if (!looks_like_uuid(name_or_id)) {
    query = selector(project, vpc);
    query.emplace_back("vpc", vpc);
  }
  OCNE_TRY_ASSIGN(
    const auto j,
    m_impl->call(Call{
      .path = "/v1/vpc-subnets/" + http::url_encode(name_or_id), .query = query, .idempotent = true, .what = what }));
  return decode<Subnet>(j, subnet_from, what);
}

Result<std::vector<FirewallRule>>
Client::get_firewall_rules(const std::string& project, const std::string& vpc)
{
  const std::string what = "read the firewall rules of VPC " + q(vpc) + " in project " + q(project);
  auto query = selector(project, vpc);
  query.emplace_back("vpc", vpc);
  OCNE_TRY_ASSIGN(
    const auto j,
    m_impl->call(Call{ .path = "/v1/vpc-firewall-rules", .query = query, .idempotent = true, .what = what }));
  std::vector<json> rules;
  if (j.contains("rules") && j["rules"].is_array()) {
    rules.assign(j["rules"].begin(), j["rules"].end());
  }
  return decode_all<FirewallRule>(rules, firewall_rule_from, what);
}

Result<std::vector<FirewallRule>>
Client::set_firewall_rules(const std::string& project, const std::string& vpc, const std::vector<FirewallRule>& rules)
{
  const std::string what = "replace the firewall rules of VPC " + q(vpc) + " in project " + q(project);
  json list = json::array();
  for (const auto& r : rules) {
    if (!valid_name(r.name)) {
      return make_error(ErrorKind::invalid_input, "{}: {} is not a valid Oxide name", what, q(r.name));
    }
    list.push_back(firewall_rule_to(r));
  }
  auto query = selector(project, vpc);
  query.emplace_back("vpc", vpc);
  // PUT replaces the whole list, so sending it twice is harmless.
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .method = "PUT",
                                     .path = "/v1/vpc-firewall-rules",
                                     .query = query,
                                     .body = json{ { "rules", list } }.dump(),
                                     .idempotent = true,
                                     .what = what }));
  std::vector<json> out;
  if (j.contains("rules") && j["rules"].is_array()) {
    out.assign(j["rules"].begin(), j["rules"].end());
  }
  return decode_all<FirewallRule>(out, firewall_rule_from, what);
}

Result<bool>
Client::ensure_firewall_rule(const std::string& project, const std::string& vpc, const FirewallRule& rule)
{
  OCNE_TRY_ASSIGN(auto rules, get_firewall_rules(project, vpc));
  bool found = false;
  for (auto& existing : rules) {
    if (existing.name != rule.name) {
      continue;
    }
    if (existing.same_as(rule)) {
      return false;
    }
    existing = rule;
    existing.raw_json.clear();
    found = true;
  }
  if (!found) {
    rules.push_back(rule);
    rules.back().raw_json.clear();
  }
  OCNE_TRY(set_firewall_rules(project, vpc, rules));
  return true;
}

} // namespace ocne::oxide
