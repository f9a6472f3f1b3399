// Identity, projects, VPCs, subnets and firewall rules.

#include "tests/servers/oxide/server_impl.hpp"

#include <fmt/format.h>

#include <set>

namespace ocne::test {

using namespace oxide_server;

namespace oxide_server {

json
project_json(const Project& p)
{
  return json{ { "id", p.id },
               { "name", p.name },
               { "description", p.description },
               { "time_created", p.time_created },
               { "time_modified", p.time_modified } };
}

json
vpc_json(const Vpc& v)
{
  return json{ { "id", v.id },
               { "name", v.name },
               { "description", v.description },
               { "project_id", v.project_id },
               { "dns_name", v.dns_name },
               { "ipv6_prefix", v.ipv6_prefix },
               { "system_router_id", v.system_router_id },
               { "time_created", v.time_created },
               { "time_modified", v.time_modified } };
}

json
subnet_json(const Subnet& s)
{
  return json{ { "id", s.id },
               { "name", s.name },
               { "description", s.description },
               { "vpc_id", s.vpc_id },
               { "ipv4_block", s.ipv4_block },
               { "ipv6_block", s.ipv6_block },
               { "time_created", s.time_created },
               { "time_modified", s.time_modified } };
}

} // namespace oxide_server

void
OxideServer::Impl::register_handlers()
{
  register_project_handlers();
  register_disk_handlers();
  register_instance_handlers();
}

void
OxideServer::Impl::register_project_handlers()
{
  handlers["ping"] = [](Ctx&) -> Outcome<Reply> { return Reply{ 200, json{ { "status", "ok" } } }; };

  handlers["current_user_view"] = [this](Ctx&) -> Outcome<Reply> {
    return Reply{ 200,
                  json{ { "id", user_id },
                        { "display_name", "ocne-test" },
                        { "silo_id", silo_id },
                        { "silo_name", "test-silo" },
                        { "silo_admin", true },
                        { "fleet_viewer", false },
                        { "time_created", "2026-01-01T00:00:00Z" },
                        { "time_modified", "2026-01-01T00:00:00Z" } } };
  };

  handlers["project_list"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    std::vector<const Project*> items;
    for (const auto& [id, p] : projects) {
      items.push_back(&p);
    }
    return page<Project>(ctx, items, "", project_json);
  };

  handlers["project_create"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    const auto name = ctx.body.at("name").get<std::string>();
    if (auto ok = check_name(ctx.body.at("name"), "name"); !ok) {
      return tl::unexpected(ok.error());
    }
    for (const auto& [id, p] : projects) {
      if (p.name == name) {
        return already_exists("project", name);
      }
    }
    add_project_locked(name, ctx.body.value("description", ""));
    return Reply{ 201, project_json(*project_by_key(name).value()) };
  };

  handlers["project_view"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto p = project_by_key(ctx.path("project"));
    if (!p) {
      return tl::unexpected(p.error());
    }
    return Reply{ 200, project_json(**p) };
  };

  handlers["project_delete"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto p = project_by_key(ctx.path("project"));
    if (!p) {
      return tl::unexpected(p.error());
    }
    const std::string id = (*p)->id;
    auto contains = [&](const auto& items, const char* kind) -> std::optional<ApiError> {
      for (const auto& [item_id, item] : items) {
        if (item.project_id == id) {
          return ApiError{ 400,
                           "InvalidRequest",
                           std::string("project to be deleted contains a ") + kind + ": " + item.name };
        }
      }
      return std::nullopt;
    };
    for (auto e : { contains(vpcs, "vpc"),
                    contains(disks, "disk"),
                    contains(snapshots, "snapshot"),
                    contains(images, "image"),
                    contains(instances, "instance"),
                    contains(floating_ips, "floating-ip") }) {
      if (e) {
        return tl::unexpected(*e);
      }
    }
    projects.erase(id);
    return Reply::no_content();
  };

  handlers["vpc_list"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    std::string scope;
    if (auto token = ctx.param("page_token"); token && !ctx.param("project")) {
      std::string sort;
      std::string last;
      decode_page_token(*token, sort, scope, last);
    } else {
      auto p = project_param(ctx, true);
      if (!p) {
        return tl::unexpected(p.error());
      }
      scope = (*p)->id;
    }
    std::vector<const Vpc*> items;
    for (const auto& [id, v] : vpcs) {
      if (v.project_id == scope) {
        items.push_back(&v);
      }
    }
    return page<Vpc>(ctx, items, scope, vpc_json);
  };

  handlers["vpc_create"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto p = project_param(ctx, true);
    if (!p) {
      return tl::unexpected(p.error());
    }
    for (const char* field : { "name", "dns_name" }) {
      if (auto ok = check_name(ctx.body.at(field), field); !ok) {
        return tl::unexpected(ok.error());
      }
    }
    const auto name = ctx.body.at("name").get<std::string>();
    for (const auto& [id, v] : vpcs) {
      if (v.project_id == (*p)->id && v.name == name) {
        return already_exists("vpc", name);
      }
    }
    auto& v = add_vpc_locked((*p)->id, name, ctx.body.at("dns_name").get<std::string>());
    v.description = ctx.body.value("description", "");
    return Reply{ 201, vpc_json(v) };
  };

  handlers["vpc_view"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto v = vpc_param(ctx, ctx.path("vpc"));
    if (!v) {
      return tl::unexpected(v.error());
    }
    return Reply{ 200, vpc_json(**v) };
  };

  handlers["vpc_delete"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto v = vpc_param(ctx, ctx.path("vpc"));
    if (!v) {
      return tl::unexpected(v.error());
    }
    for (const auto& [id, s] : subnets) {
      if (s.vpc_id == (*v)->id) {
        return invalid_request("VPC cannot be deleted while VPC Subnets exist");
      }
    }
    vpcs.erase((*v)->id);
    return Reply::no_content();
  };

  // The VPC named by ?vpc= (a name needs ?project=).
  auto vpc_of_query = [this](Ctx& ctx) -> Outcome<Vpc*> {
    const auto key = ctx.param("vpc");
    if (!key) {
      return invalid_request("missing required query parameter \"vpc\"");
    }
    return vpc_param(ctx, *key);
  };

  handlers["vpc_subnet_list"] = [this, vpc_of_query](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    std::string scope;
    if (auto token = ctx.param("page_token"); token && !ctx.param("vpc")) {
      std::string sort;
      std::string last;
      decode_page_token(*token, sort, scope, last);
    } else {
      auto v = vpc_of_query(ctx);
      if (!v) {
        return tl::unexpected(v.error());
      }
      scope = (*v)->id;
    }
    std::vector<const Subnet*> items;
    for (const auto& [id, s] : subnets) {
      if (s.vpc_id == scope) {
        items.push_back(&s);
      }
    }
    return page<Subnet>(ctx, items, scope, subnet_json);
  };

  handlers["vpc_subnet_create"] = [this, vpc_of_query](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto v = vpc_of_query(ctx);
    if (!v) {
      return tl::unexpected(v.error());
    }
    if (auto ok = check_name(ctx.body.at("name"), "name"); !ok) {
      return tl::unexpected(ok.error());
    }
    const auto name = ctx.body.at("name").get<std::string>();
    for (const auto& [id, s] : subnets) {
      if (s.vpc_id == (*v)->id && s.name == name) {
        return already_exists("vpc-subnet", name);
      }
    }
    Subnet s;
    s.id = new_uuid();
    s.name = name;
    s.description = ctx.body.value("description", "");
    s.vpc_id = (*v)->id;
    s.ipv4_block = ctx.body.at("ipv4_block").get<std::string>();
    s.ipv6_block = (*v)->ipv6_prefix.substr(0, (*v)->ipv6_prefix.find("::")) + ":" +
                   fmt::format("{:x}", subnets.size() + 1) + "::/64";
    s.time_created = s.time_modified = now_rfc3339();
    subnets[s.id] = s;
    return Reply{ 201, subnet_json(s) };
  };

  handlers["vpc_subnet_view"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    const auto& key = ctx.path("subnet");
    const auto vpc_key = ctx.param("vpc");
    if (is_uuid(key)) {
      if (vpc_key || ctx.param("project")) {
        return invalid_request("when providing subnet as an ID vpc and project should not be specified");
      }
      auto it = subnets.find(key);
      if (it == subnets.end()) {
        return not_found("vpc-subnet", key, true);
      }
      return Reply{ 200, subnet_json(it->second) };
    }
    if (!vpc_key) {
      return invalid_request("when providing subnet as a name, vpc must be specified");
    }
    auto v = vpc_param(ctx, *vpc_key);
    if (!v) {
      return tl::unexpected(v.error());
    }
    for (const auto& [id, s] : subnets) {
      if (s.vpc_id == (*v)->id && s.name == key) {
        return Reply{ 200, subnet_json(s) };
      }
    }
    return not_found("vpc-subnet", key, false);
  };

  handlers["vpc_firewall_rules_view"] = [this, vpc_of_query](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto v = vpc_of_query(ctx);
    if (!v) {
      return tl::unexpected(v.error());
    }
    return Reply{ 200, json{ { "rules", (*v)->firewall_rules } } };
  };

  handlers["vpc_firewall_rules_update"] = [this, vpc_of_query](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto v = vpc_of_query(ctx);
    if (!v) {
      return tl::unexpected(v.error());
    }
    const json rules_in = ctx.body.is_object() ? ctx.body.value("rules", json::array()) : json::array();
    if (rules_in.size() > 1024) {
      return invalid_request("a VPC can have at most 1024 firewall rules");
    }
    std::set<std::string> names;
    json rules = json::array();
    const auto now = now_rfc3339();
    for (const auto& in : rules_in) {
      if (auto ok = check_name(in.at("name"), "name"); !ok) {
        return tl::unexpected(ok.error());
      }
      const auto name = in.at("name").get<std::string>();
      if (!names.insert(name).second) {
        return invalid_request("firewall rule names must be unique, \"" + name + "\" is given twice");
      }
      json rule = in;
      rule["id"] = new_uuid();
      rule["vpc_id"] = (*v)->id;
      rule["time_created"] = now;
      rule["time_modified"] = now;
      rules.push_back(std::move(rule));
    }
    (*v)->firewall_rules = rules; // the whole list is replaced
    return Reply{ 200, json{ { "rules", rules } } };
  };
}

} // namespace ocne::test
