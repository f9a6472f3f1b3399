// Instances (list, view, stop, delete: what cluster delete needs; tests seed
// them with OxideServer::add_instance) and floating IPs.

#include "tests/servers/oxide/server_impl.hpp"

#include <fmt/format.h>

namespace ocne::test {

using namespace oxide_server;

namespace oxide_server {

json
instance_json(const Instance& i)
{
  return json{ { "id", i.id },
               { "name", i.name },
               { "description", i.description },
               { "hostname", i.hostname },
               { "ncpus", i.ncpus },
               { "memory", i.memory },
               { "project_id", i.project_id },
               { "run_state", i.run_state },
               { "auto_restart_enabled", true },
               { "enable_jumbo_frames", false },
               { "time_created", i.time_created },
               { "time_modified", i.time_modified },
               { "time_run_state_updated", i.time_run_state_updated } };
}

json
floating_ip_json(const FloatingIp& f)
{
  json j = { { "id", f.id },
             { "name", f.name },
             { "description", f.description },
             { "ip", f.ip },
             { "ip_pool_id", "00000000-0000-4000-8000-00000000f100" },
             { "project_id", f.project_id },
             { "time_created", f.time_created },
             { "time_modified", f.time_modified } };
  j["instance_id"] = f.instance_id.empty() ? json(nullptr) : json(f.instance_id);
  return j;
}

} // namespace oxide_server

void
OxideServer::Impl::register_instance_handlers()
{
  auto project_scope = [this](Ctx& ctx) -> Outcome<std::string> {
    if (auto token = ctx.param("page_token"); token && !ctx.param("project")) {
      std::string sort;
      std::string scope;
      std::string last;
      decode_page_token(*token, sort, scope, last);
      return scope;
    }
    auto p = project_param(ctx, true);
    if (!p) {
      return tl::unexpected(p.error());
    }
    return (*p)->id;
  };

  handlers["instance_list"] = [this, project_scope](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto scope = project_scope(ctx);
    if (!scope) {
      return tl::unexpected(scope.error());
    }
    std::vector<const Instance*> items;
    for (const auto& [id, i] : instances) {
      if (i.project_id == *scope) {
        items.push_back(&i);
      }
    }
    return page<Instance>(ctx, items, *scope, instance_json);
  };

  handlers["instance_view"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto i = child(instances, ctx, "instance", ctx.path("instance"));
    if (!i) {
      return tl::unexpected(i.error());
    }
    return Reply{ 200, instance_json(**i) };
  };

  handlers["instance_stop"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto i = child(instances, ctx, "instance", ctx.path("instance"));
    if (!i) {
      return tl::unexpected(i.error());
    }
    Instance& inst = **i;
    json reply = instance_json(inst);
    if (inst.run_state != "stopped" && inst.run_state != "failed") {
      // The answer says "stopping"; the next view finds it stopped.
      reply["run_state"] = "stopping";
      inst.run_state = "stopped";
      inst.time_run_state_updated = now_rfc3339();
    }
    return Reply{ 202, reply };
  };

  handlers["instance_delete"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto i = child(instances, ctx, "instance", ctx.path("instance"));
    if (!i) {
      return tl::unexpected(i.error());
    }
    if ((*i)->run_state != "stopped" && (*i)->run_state != "failed") {
      return invalid_request("cannot delete instance: instance is " + (*i)->run_state + "; stop it first");
    }
    for (auto& [id, f] : floating_ips) {
      if (f.instance_id == (*i)->id) {
        f.instance_id.clear();
      }
    }
    instances.erase((*i)->id);
    return Reply::no_content();
  };

  handlers["floating_ip_list"] = [this, project_scope](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto scope = project_scope(ctx);
    if (!scope) {
      return tl::unexpected(scope.error());
    }
    std::vector<const FloatingIp*> items;
    for (const auto& [id, f] : floating_ips) {
      if (f.project_id == *scope) {
        items.push_back(&f);
      }
    }
    return page<FloatingIp>(ctx, items, *scope, floating_ip_json);
  };

  handlers["floating_ip_create"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto p = project_param(ctx, true);
    if (!p) {
      return tl::unexpected(p.error());
    }
    if (auto ok = check_name(ctx.body.at("name"), "name"); !ok) {
      return tl::unexpected(ok.error());
    }
    const auto name = ctx.body.at("name").get<std::string>();
    for (const auto& [id, f] : floating_ips) {
      if (f.project_id == (*p)->id && f.name == name) {
        return already_exists("floating-ip", name);
      }
    }
    FloatingIp f;
    f.id = new_uuid();
    f.name = name;
    f.description = ctx.body.value("description", "");
    f.project_id = (*p)->id;
    const json allocator = ctx.body.value("address_allocator", json(nullptr));
    if (allocator.is_object() && allocator.value("type", "") == "explicit") {
      f.ip = allocator.at("ip").get<std::string>();
      for (const auto& [id, other] : floating_ips) {
        if (other.ip == f.ip) {
          return invalid_request("IP address " + f.ip + " is already in use");
        }
      }
    } else {
      f.ip = fmt::format("198.51.100.{}", next_ip++); // TEST-NET-2
    }
    f.time_created = f.time_modified = now_rfc3339();
    floating_ips[f.id] = f;
    return Reply{ 201, floating_ip_json(f) };
  };

  handlers["floating_ip_view"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto f = child(floating_ips, ctx, "floating-ip", ctx.path("floating_ip"));
    if (!f) {
      return tl::unexpected(f.error());
    }
    return Reply{ 200, floating_ip_json(**f) };
  };

  handlers["floating_ip_delete"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto f = child(floating_ips, ctx, "floating-ip", ctx.path("floating_ip"));
    if (!f) {
      return tl::unexpected(f.error());
    }
    if (!(*f)->instance_id.empty()) {
      return invalid_request("Floating IP cannot be deleted while attached to an instance");
    }
    floating_ips.erase((*f)->id);
    return Reply::no_content();
  };

  handlers["floating_ip_attach"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto f = child(floating_ips, ctx, "floating-ip", ctx.path("floating_ip"));
    if (!f) {
      return tl::unexpected(f.error());
    }
    if (ctx.body.at("kind") != "instance") {
      return invalid_request("floating IPs attach to instances only");
    }
    auto i = child(instances, ctx, "instance", ctx.body.at("parent").get<std::string>());
    if (!i) {
      return tl::unexpected(i.error());
    }
    if (!(*f)->instance_id.empty() && (*f)->instance_id != (*i)->id) {
      return invalid_request("floating IP " + (*f)->name + " is already attached to an instance");
    }
    (*f)->instance_id = (*i)->id;
    return Reply{ 202, floating_ip_json(**f) };
  };

  handlers["floating_ip_detach"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto f = child(floating_ips, ctx, "floating-ip", ctx.path("floating_ip"));
    if (!f) {
      return tl::unexpected(f.error());
    }
    if ((*f)->instance_id.empty()) {
      return invalid_request("floating IP " + (*f)->name + " is not attached");
    }
    (*f)->instance_id.clear();
    return Reply{ 202, floating_ip_json(**f) };
  };
}

} // namespace ocne::test
