// Instances and floating IPs.

#include "pkg/oxide/client_impl.hpp"

namespace ocne::oxide {

namespace {

std::string
q(const std::string& s)
{
  return "\"" + s + "\"";
}

} // namespace

Result<std::vector<Instance>>
Client::list_instances(const std::string& project)
{
  const std::string what = "list instances in project " + q(project);
  OCNE_TRY_ASSIGN(const auto items, m_impl->list("/v1/instances", { { "project", project } }, what));
  return decode_all<Instance>(items, instance_from, what);
}

Result<Instance>
Client::get_instance(const std::string& project, const std::string& name_or_id)
{
  const std::string what = "look up instance " + q(name_or_id) + " in project " + q(project);
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .path = "/v1/instances/" + http::url_encode(name_or_id),
                                     .query = selector(project, name_or_id),
                                     .idempotent = true,
                                     .what = what }));
  return decode<Instance>(j, instance_from, what);
}

Result<Instance>
Client::stop_instance(const std::string& project, const std::string& name_or_id)
{
  const std::string what = "stop instance " + q(name_or_id) + " in project " + q(project);
  // Stopping a stopping or stopped instance is harmless: retry freely.
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .method = "POST",
                                     .path = "/v1/instances/" + http::url_encode(name_or_id) + "/stop",
                                     .query = selector(project, name_or_id),
                                     .idempotent = true,
                                     .what = what }));
  return decode<Instance>(j, instance_from, what);
}

Status
Client::delete_instance(const std::string& project, const std::string& name_or_id)
{
  OCNE_TRY(m_impl->call(Call{ .method = "DELETE",
                              .path = "/v1/instances/" + http::url_encode(name_or_id),
                              .query = selector(project, name_or_id),
                              .idempotent = true,
                              .what = "delete instance " + q(name_or_id) + " in project " + q(project) }));
  return {};
}

Result<std::vector<FloatingIp>>
Client::list_floating_ips(const std::string& project)
{
  const std::string what = "list floating IPs in project " + q(project);
  OCNE_TRY_ASSIGN(const auto items, m_impl->list("/v1/floating-ips", { { "project", project } }, what));
  return decode_all<FloatingIp>(items, floating_ip_from, what);
}

Result<FloatingIp>
Client::get_floating_ip(const std::string& project, const std::string& name_or_id)
{
  const std::string what = "look up floating IP " + q(name_or_id) + " in project " + q(project);
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .path = "/v1/floating-ips/" + http::url_encode(name_or_id),
                                     .query = selector(project, name_or_id),
                                     .idempotent = true,
                                     .what = what }));
  return decode<FloatingIp>(j, floating_ip_from, what);
}

Result<FloatingIp>
Client::create_floating_ip(const std::string& project, const FloatingIpCreate& create)
{
  const std::string what = "create floating IP " + q(create.name) + " in project " + q(project);
  json body = { { "name", create.name }, { "description", create.description } };
  if (!create.ip.empty()) {
    body["address_allocator"] = { { "type", "explicit" }, { "ip", create.ip } };
  } else if (!create.pool.empty()) {
    body["address_allocator"] = { { "type", "auto" },
                                  { "pool_selector", { { "type", "explicit" }, { "pool", create.pool } } } };
  }
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .method = "POST",
                                     .path = "/v1/floating-ips",
                                     .query = { { "project", project } },
                                     .body = body.dump(),
                                     .what = what }));
  return decode<FloatingIp>(j, floating_ip_from, what);
}

Result<FloatingIp>
Client::detach_floating_ip(const std::string& project, const std::string& name_or_id)
{
  const std::string what = "detach floating IP " + q(name_or_id) + " in project " + q(project);
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .method = "POST",
                                     .path = "/v1/floating-ips/" + http::url_encode(name_or_id) + "/detach",
                                     .query = selector(project, name_or_id),
                                     .what = what }));
  return decode<FloatingIp>(j, floating_ip_from, what);
}

Status
Client::delete_floating_ip(const std::string& project, const std::string& name_or_id)
{
  OCNE_TRY(m_impl->call(Call{ .method = "DELETE",
                              .path = "/v1/floating-ips/" + http::url_encode(name_or_id),
                              .query = selector(project, name_or_id),
                              .idempotent = true,
                              .what = "delete floating IP " + q(name_or_id) + " in project " + q(project) }));
  return {};
}

} // namespace ocne::oxide
