#pragma once

// An Ignition 3.4.0 config under construction: files, directories, systemd
// units with drop-ins, users and groups. Adding a second entry with the same
// path (files and directories share one namespace), unit, drop-in, user or
// group name is an error, as in ocne. to_json() gives compact JSON with file
// contents as data URLs and every file overwritten, as ocne writes it.

#include "pkg/core/error.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ocne::ignition {

inline constexpr std::string_view k_spec_version = "3.4.0";

struct File
{
  std::string path;
  std::string contents;
  unsigned mode = 0644;
  bool overwrite = true;
  std::string user;  // owner name; empty = root
  std::string group; // group name; empty = root
};

struct Directory
{
  std::string path;
  unsigned mode = 0755;
  std::string user;
  std::string group;
};

struct Dropin
{
  std::string name; // "*.conf"
  std::string contents;
};

struct Unit
{
  std::string name; // "x.service", "x.path", ...
  std::optional<bool> enabled;
  std::optional<bool> mask;
  std::optional<std::string> contents;
  std::vector<Dropin> dropins;
};

struct User
{
  std::string name;
  std::vector<std::string> groups;
  std::vector<std::string> ssh_authorized_keys;
  std::string password_hash;
  std::string shell;
  std::string primary_group;
  std::string home_dir;
  bool no_create_home = false;
  bool system = false;
};

struct Group
{
  std::string name;
  bool system = false;
};

class Config
{
public:
  Status add_file(File file);
  Status add_directory(Directory directory);
  // Adds a unit; if only drop-ins were added for it so far, fills them in.
  Status add_unit(Unit unit);
  // Adds a drop-in to a unit, creating a bare unit entry when needed.
  Status add_dropin(std::string_view unit_name, Dropin dropin);
  // Sets enabled on a unit, creating a bare unit entry when needed.
  void enable_unit(std::string_view unit_name, bool enabled = true);
  Status add_user(User user);
  Status add_group(Group group);

  const std::vector<File>&
  files() const
  {
    return m_files;
  }
  const std::vector<Unit>&
  units() const
  {
    return m_units;
  }
  const File* find_file(std::string_view path) const;
  const Unit* find_unit(std::string_view name) const;

  // Compact Ignition JSON.
  std::string to_json() const;

private:
  Unit& unit_entry(std::string_view name);
  Status claim_path(const std::string& path, std::string_view what);

  std::vector<File> m_files;
  std::vector<Directory> m_directories;
  std::vector<Unit> m_units;
  std::vector<User> m_users;
  std::vector<Group> m_groups;
  std::map<std::string, std::string, std::less<>> m_paths; // path -> "file" / "directory"
  std::set<std::string, std::less<>> m_defined_units;
};

} // namespace ocne::ignition
