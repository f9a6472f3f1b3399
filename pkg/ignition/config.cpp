#include "pkg/ignition/config.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/ignition/data_url.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ocne::ignition {

using nlohmann::json;

Status
Config::claim_path(const std::string& path, std::string_view what)
{
  if (path.empty() || path.front() != '/') {
    return make_error(ErrorKind::internal, "ignition {} path {} is not absolute", what, str::quote(path));
  }
  const auto [it, inserted] = m_paths.emplace(path, std::string(what));
  if (!inserted) {
    return make_error(
      ErrorKind::internal, "ignition {} {} is already defined as a {}", what, str::quote(path), it->second);
  }
  return {};
}

Status
Config::add_file(File file)
{
  OCNE_TRY(claim_path(file.path, "file"));
  m_files.push_back(std::move(file));
  return {};
}

Status
Config::add_directory(Directory directory)
{
  OCNE_TRY(claim_path(directory.path, "directory"));
  m_directories.push_back(std::move(directory));
  return {};
}

Unit&
Config::unit_entry(std::string_view name)
{
  for (auto& unit : m_units) {
    if (unit.name == name) {
      return unit;
    }
  }
  m_units.push_back(Unit{ .name = std::string(name) });
  return m_units.back();
}

Status
Config::add_unit(Unit unit)
{
  if (!m_defined_units.insert(unit.name).second) {
    return make_error(ErrorKind::internal, "ignition unit {} is already defined", str::quote(unit.name));
  }
  // The entry may exist already, made bare by add_dropin or enable_unit.
  auto& entry = unit_entry(unit.name);
  if (unit.contents) {
    entry.contents = std::move(unit.contents);
  }
  if (unit.enabled) {
    entry.enabled = unit.enabled;
  }
  if (unit.mask) {
    entry.mask = unit.mask;
  }
  for (auto& dropin : unit.dropins) {
    OCNE_TRY(add_dropin(unit.name, std::move(dropin)));
  }
  return {};
}

Status
Config::add_dropin(std::string_view unit_name, Dropin dropin)
{
  auto& unit = unit_entry(unit_name);
  for (const auto& existing : unit.dropins) {
    if (existing.name == dropin.name) {
      return make_error(ErrorKind::internal,
                        "ignition drop-in {} of unit {} is already defined",
                        str::quote(dropin.name),
                        str::quote(unit_name));
    }
  }
  unit.dropins.push_back(std::move(dropin));
  return {};
}

void
Config::enable_unit(std::string_view unit_name, bool enabled)
{
  unit_entry(unit_name).enabled = enabled;
}

Status
Config::add_user(User user)
{
  for (const auto& existing : m_users) {
    if (existing.name == user.name) {
      return make_error(ErrorKind::internal, "ignition user {} is already defined", str::quote(user.name));
    }
  }
  m_users.push_back(std::move(user));
  return {};
}

Status
Config::add_group(Group group)
{
  for (const auto& existing : m_groups) {
    if (existing.name == group.name) {
      return make_error(ErrorKind::internal, "ignition group {} is already defined", str::quote(group.name));
    }
  }
  m_groups.push_back(std::move(group));
  return {};
}

const File*
Config::find_file(std::string_view path) const
{
  for (const auto& file : m_files) {
    if (file.path == path) {
      return &file;
    }
  }
  return nullptr;
}

const Unit*
Config::find_unit(std::string_view name) const
{
  for (const auto& unit : m_units) {
    if (unit.name == name) {
      return &unit;
    }
  }
  return nullptr;
}

namespace {

void
set_owner(json& node, const std::string& user, const std::string& group)
{
  if (!user.empty()) {
    node["user"] = { { "name", user } };
  }
  if (!group.empty()) {
    node["group"] = { { "name", group } };
  }
}

} // namespace

std::string
Config::to_json() const
{
  json root = json::object();
  root["ignition"] = { { "version", k_spec_version } };
  json storage = json::object();
  if (!m_files.empty()) {
    json files = json::array();
    for (const auto& f : m_files) {
      json node = { { "path", f.path } };
      set_owner(node, f.user, f.group);
      node["contents"] = { { "source", make_data_url(f.contents) } };
      node["mode"] = f.mode;
      node["overwrite"] = f.overwrite;
      files.push_back(std::move(node));
    }
    storage["files"] = std::move(files);
  }
  if (!m_directories.empty()) {
    json dirs = json::array();
    for (const auto& d : m_directories) {
      json node = { { "path", d.path } };
      set_owner(node, d.user, d.group);
      node["mode"] = d.mode;
      dirs.push_back(std::move(node));
    }
    storage["directories"] = std::move(dirs);
  }
  if (!storage.empty()) {
    root["storage"] = std::move(storage);
  }
  if (!m_units.empty()) {
    json units = json::array();
    for (const auto& u : m_units) {
      json node = { { "name", u.name } };
      if (u.contents) {
        node["contents"] = *u.contents;
      }
      if (!u.dropins.empty()) {
        json dropins = json::array();
        for (const auto& d : u.dropins) {
          dropins.push_back({ { "name", d.name }, { "contents", d.contents } });
        }
        node["dropins"] = std::move(dropins);
      }
      if (u.enabled) {
        node["enabled"] = *u.enabled;
      }
      if (u.mask) {
        node["mask"] = *u.mask;
      }
      units.push_back(std::move(node));
    }
    root["systemd"] = { { "units", std::move(units) } };
  }
  json passwd = json::object();
  if (!m_users.empty()) {
    json users = json::array();
    for (const auto& u : m_users) {
      json node = { { "name", u.name } };
      if (!u.groups.empty()) {
        node["groups"] = u.groups;
      }
      if (!u.home_dir.empty()) {
        node["homeDir"] = u.home_dir;
      }
      if (u.no_create_home) {
        node["noCreateHome"] = true;
      }
      if (!u.password_hash.empty()) {
        node["passwordHash"] = u.password_hash;
      }
      if (!u.primary_group.empty()) {
        node["primaryGroup"] = u.primary_group;
      }
      if (!u.shell.empty()) {
        node["shell"] = u.shell;
      }
      if (!u.ssh_authorized_keys.empty()) {
        node["sshAuthorizedKeys"] = u.ssh_authorized_keys;
      }
      if (u.system) {
        node["system"] = true;
      }
      users.push_back(std::move(node));
    }
    passwd["users"] = std::move(users);
  }
  if (!m_groups.empty()) {
    json groups = json::array();
    for (const auto& g : m_groups) {
      json node = { { "name", g.name } };
      if (g.system) {
        node["system"] = true;
      }
      groups.push_back(std::move(node));
    }
    passwd["groups"] = std::move(groups);
  }
  if (!passwd.empty()) {
    root["passwd"] = std::move(passwd);
  }
  return root.dump();
}

} // namespace ocne::ignition
