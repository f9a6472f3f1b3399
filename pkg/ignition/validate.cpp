#include "pkg/ignition/validate.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/ignition/data_url.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace ocne::ignition {

using nlohmann::json;

namespace {

// The shape of an Ignition 3.4 config: for each object (named by its path
// with "[]" for list items) its keys and their types.
//   o object, a list of objects, s string, i integer, b boolean, S list of strings
using Shape = std::map<std::string, char, std::less<>>;

const std::map<std::string, Shape, std::less<>>&
schema()
{
  static const Shape resource = {
    { "source", 's' }, { "compression", 's' }, { "httpHeaders", 'a' }, { "verification", 'o' }
  };
  static const std::map<std::string, Shape, std::less<>> value = [] {
    std::map<std::string, Shape, std::less<>> s;
    s[""] = {
      { "ignition", 'o' }, { "storage", 'o' }, { "systemd", 'o' }, { "passwd", 'o' }, { "kernelArguments", 'o' }
    };
    s["ignition"] = {
      { "version", 's' }, { "config", 'o' }, { "timeouts", 'o' }, { "security", 'o' }, { "proxy", 'o' }
    };
    s["ignition.config"] = { { "merge", 'a' }, { "replace", 'o' } };
    s["ignition.config.merge[]"] = resource;
    s["ignition.config.replace"] = resource;
    s["ignition.timeouts"] = { { "httpResponseHeaders", 'i' }, { "httpTotal", 'i' } };
    s["ignition.security"] = { { "tls", 'o' } };
    s["ignition.security.tls"] = { { "certificateAuthorities", 'a' } };
    s["ignition.security.tls.certificateAuthorities[]"] = resource;
    s["ignition.proxy"] = { { "httpProxy", 's' }, { "httpsProxy", 's' }, { "noProxy", 'S' } };
    s["storage"] = { { "disks", 'a' },       { "raid", 'a' },  { "filesystems", 'a' }, { "files", 'a' },
                     { "directories", 'a' }, { "links", 'a' }, { "luks", 'a' } };
    s["storage.disks[]"] = { { "device", 's' }, { "wipeTable", 'b' }, { "partitions", 'a' } };
    s["storage.disks[].partitions[]"] = { { "label", 's' },
                                          { "number", 'i' },
                                          { "sizeMiB", 'i' },
                                          { "startMiB", 'i' },
                                          { "typeGuid", 's' },
                                          { "guid", 's' },
                                          { "wipePartitionEntry", 'b' },
                                          { "shouldExist", 'b' },
                                          { "resize", 'b' } };
    s["storage.raid[]"] = {
      { "name", 's' }, { "level", 's' }, { "devices", 'S' }, { "spares", 'i' }, { "options", 'S' }
    };
    s["storage.filesystems[]"] = { { "device", 's' }, { "format", 's' }, { "path", 's' },    { "wipeFilesystem", 'b' },
                                   { "label", 's' },  { "uuid", 's' },   { "options", 'S' }, { "mountOptions", 'S' } };
    s["storage.files[]"] = { { "path", 's' }, { "overwrite", 'b' }, { "contents", 'o' }, { "append", 'a' },
                             { "mode", 'i' }, { "user", 'o' },      { "group", 'o' } };
    s["storage.files[].contents"] = resource;
    s["storage.files[].append[]"] = resource;
    s["storage.directories[]"] = {
      { "path", 's' }, { "overwrite", 'b' }, { "mode", 'i' }, { "user", 'o' }, { "group", 'o' }
    };
    s["storage.links[]"] = { { "path", 's' },  { "overwrite", 'b' }, { "user", 'o' },
                             { "group", 'o' }, { "target", 's' },    { "hard", 'b' } };
    s["storage.luks[]"] = { { "name", 's' },       { "device", 's' },  { "keyFile", 'o' }, { "label", 's' },
                            { "uuid", 's' },       { "options", 'S' }, { "discard", 'b' }, { "openOptions", 'S' },
                            { "wipeVolume", 'b' }, { "clevis", 'o' } };
    s["storage.luks[].keyFile"] = resource;
    s["storage.luks[].clevis"] = { { "tang", 'a' }, { "tpm2", 'b' }, { "threshold", 'i' }, { "custom", 'o' } };
    s["storage.luks[].clevis.tang[]"] = { { "url", 's' }, { "thumbprint", 's' }, { "advertisement", 's' } };
    s["storage.luks[].clevis.custom"] = { { "pin", 's' }, { "config", 's' }, { "needsNetwork", 'b' } };
    s["systemd"] = { { "units", 'a' } };
    s["systemd.units[]"] = {
      { "name", 's' }, { "enabled", 'b' }, { "mask", 'b' }, { "contents", 's' }, { "dropins", 'a' }
    };
    s["systemd.units[].dropins[]"] = { { "name", 's' }, { "contents", 's' } };
    s["passwd"] = { { "users", 'a' }, { "groups", 'a' } };
    s["passwd.users[]"] = { { "name", 's' },         { "passwordHash", 's' }, { "sshAuthorizedKeys", 'S' },
                            { "uid", 'i' },          { "gecos", 's' },        { "homeDir", 's' },
                            { "noCreateHome", 'b' }, { "primaryGroup", 's' }, { "groups", 'S' },
                            { "noUserGroup", 'b' },  { "noLogInit", 'b' },    { "shell", 's' },
                            { "shouldExist", 'b' },  { "system", 'b' } };
    s["passwd.groups[]"] = {
      { "name", 's' }, { "gid", 'i' }, { "passwordHash", 's' }, { "shouldExist", 'b' }, { "system", 'b' }
    };
    s["kernelArguments"] = { { "shouldExist", 'S' }, { "shouldNotExist", 'S' } };
    // owner objects and headers, wherever they appear
    for (const auto* owner : { "storage.files[].user",
                               "storage.files[].group",
                               "storage.directories[].user",
                               "storage.directories[].group",
                               "storage.links[].user",
                               "storage.links[].group" }) {
      s[owner] = { { "id", 'i' }, { "name", 's' } };
    }
    for (const auto* parent : { "ignition.config.merge[]",
                                "ignition.config.replace",
                                "ignition.security.tls.certificateAuthorities[]",
                                "storage.files[].contents",
                                "storage.files[].append[]",
                                "storage.luks[].keyFile" }) {
      s[std::string(parent) + ".httpHeaders[]"] = { { "name", 's' }, { "value", 's' } };
      s[std::string(parent) + ".verification"] = { { "hash", 's' } };
    }
    return s;
  }();
  return value;
}

class Checker
{
public:
  explicit Checker(const ValidateOptions& options) : m_options(options)
  {
  }

  std::vector<std::string>
  run(const json& root)
  {
    if (!root.is_object()) {
      add("", "the config is not a JSON object");
      return m_issues;
    }
    check_shape(root, "", "");
    check_version(root);
    check_storage(root);
    check_units(root);
    check_passwd(root);
    return m_issues;
  }

private:
  void
  add(const std::string& where, std::string what)
  {
    m_issues.push_back(where.empty() ? what : where + ": " + what);
  }

  static const char*
  type_name(char type)
  {
    switch (type) {
      case 'o':
        return "an object";
      case 'a':
        return "a list of objects";
      case 's':
        return "a string";
      case 'i':
        return "an integer";
      case 'b':
        return "a boolean";
      case 'S':
        return "a list of strings";
    }
    return "?";
  }

  static bool
  has_type(const json& value, char type)
  {
    switch (type) {
      case 'o':
        return value.is_object();
      case 's':
        return value.is_string();
      case 'i':
        return value.is_number_integer();
      case 'b':
        return value.is_boolean();
      case 'a':
        if (!value.is_array()) {
          return false;
        }
        for (const auto& item : value) {
          if (!item.is_object()) {
            return false;
          }
        }
        return true;
      case 'S':
        if (!value.is_array()) {
          return false;
        }
        for (const auto& item : value) {
          if (!item.is_string()) {
            return false;
          }
        }
        return true;
    }
    return false;
  }

  // shape_key names the object in the schema; where is the printed path.
  void
  check_shape(const json& object, const std::string& shape_key, const std::string& where)
  {
    const auto shape = schema().find(shape_key);
    if (shape == schema().end()) {
      return;
    }
    for (const auto& [key, value] : object.items()) {
      const std::string path = where.empty() ? key : where + "." + key;
      const auto field = shape->second.find(key);
      if (field == shape->second.end()) {
        add(path, "unknown key");
        continue;
      }
      if (value.is_null()) {
        continue; // Ignition treats null as unset
      }
      if (!has_type(value, field->second)) {
        add(path, fmt::format("must be {}", type_name(field->second)));
        continue;
      }
      const std::string child = shape_key.empty() ? key : shape_key + "." + key;
      if (field->second == 'o') {
        check_shape(value, child, path);
      } else if (field->second == 'a') {
        for (std::size_t i = 0; i < value.size(); ++i) {
          check_shape(value[i], child + "[]", fmt::format("{}[{}]", path, i));
        }
      }
    }
  }

  void
  check_version(const json& root)
  {
    const auto ignition = root.find("ignition");
    if (ignition == root.end() || !ignition->is_object() || !ignition->contains("version") ||
        !(*ignition)["version"].is_string()) {
      add("ignition.version", "missing (this must be an Ignition 3.x config)");
      return;
    }
    const auto version = (*ignition)["version"].get<std::string>();
    if (m_options.exact_version) {
      if (version != "3.4.0") {
        add("ignition.version", fmt::format("is {}, expected 3.4.0", str::quote(version)));
      }
      return;
    }
    static const std::set<std::string, std::less<>> k_ok = { "3.0.0", "3.1.0", "3.2.0", "3.3.0", "3.4.0" };
    if (k_ok.count(version) == 0) {
      add("ignition.version",
          fmt::format("is {}; ocne reads Ignition configs of spec 3.0.0 to 3.4.0", str::quote(version)));
    }
  }

  void
  check_resource(const json& node, const std::string& where, bool source_required)
  {
    if (!node.is_object()) {
      return;
    }
    const auto source = node.find("source");
    if (source == node.end() || source->is_null()) {
      if (source_required) {
        add(where + ".source", "missing");
      }
    } else if (source->is_string()) {
      const auto url = source->get<std::string>();
      const auto colon = url.find(':');
      static const std::set<std::string, std::less<>> k_schemes = {
        "http", "https", "tftp", "s3", "arn", "gs", "data"
      };
      const std::string scheme = colon == std::string::npos ? "" : str::to_lower(url.substr(0, colon));
      if (k_schemes.count(scheme) == 0) {
        add(where + ".source",
            fmt::format("{} has no supported scheme (http, https, tftp, s3, arn, gs, data)",
                        str::quote(url.substr(0, 60))));
      } else if (scheme == "data") {
        if (auto decoded = decode_data_url(url); !decoded) {
          add(where + ".source", decoded.error().message());
        }
      }
    }
    if (const auto compression = node.find("compression"); compression != node.end() && compression->is_string() &&
                                                           !compression->get<std::string>().empty() &&
                                                           compression->get<std::string>() != "gzip") {
      add(where + ".compression",
          fmt::format("{} is not supported (gzip or empty)", str::quote(compression->get<std::string>())));
    }
    if (const auto verification = node.find("verification"); verification != node.end() && verification->is_object() &&
                                                             verification->contains("hash") &&
                                                             (*verification)["hash"].is_string()) {
      const auto hash = (*verification)["hash"].get<std::string>();
      const auto dash = hash.find('-');
      const std::string type = dash == std::string::npos ? "" : hash.substr(0, dash);
      const std::string digest = dash == std::string::npos ? "" : hash.substr(dash + 1);
      const std::size_t want = type == "sha512" ? 128 : type == "sha256" ? 64 : 0;
      if (want == 0 || digest.size() != want || digest.find_first_not_of("0123456789abcdef") != std::string::npos) {
        add(where + ".verification.hash", fmt::format("{} is not sha512-<hex> or sha256-<hex>", str::quote(hash)));
      }
    }
  }

  void
  check_mode(const json& node, const std::string& where)
  {
    const auto mode = node.find("mode");
    if (mode != node.end() && mode->is_number_integer()) {
      const auto value = mode->get<long long>();
      if (value < 0 || value > 07777) {
        add(where + ".mode", fmt::format("{} is not a permission mode (0 to 4095, i.e. 07777)", value));
      }
    }
  }

  // Checks that list[*].key is present, unique and (optionally) absolute.
  void
  check_unique(const json& list,
               const std::string& where,
               const char* key,
               bool absolute,
               std::map<std::string, std::string>& seen)
  {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& item = list[i];
      const std::string at = fmt::format("{}[{}]", where, i);
      if (!item.is_object() || !item.contains(key) || !item[key].is_string() || item[key].get<std::string>().empty()) {
        add(at + "." + key, "missing");
        continue;
      }
      const auto value = item[key].get<std::string>();
      if (absolute && value.front() != '/') {
        add(at + "." + key, fmt::format("{} is not an absolute path", str::quote(value)));
      }
      const auto [it, inserted] = seen.emplace(value, at);
      if (!inserted) {
        add(at + "." + key, fmt::format("{} is already used by {}", str::quote(value), it->second));
      }
    }
  }

  static const json*
  list_at(const json& root, const char* section, const char* name)
  {
    const auto s = root.find(section);
    if (s == root.end() || !s->is_object()) {
      return nullptr;
    }
    const auto l = s->find(name);
    if (l == s->end() || !l->is_array()) {
      return nullptr;
    }
    return &*l;
  }

  void
  check_storage(const json& root)
  {
    std::map<std::string, std::string> paths;
    for (const auto* name : { "files", "directories", "links" }) {
      const json* list = list_at(root, "storage", name);
      if (list == nullptr) {
        continue;
      }
      const std::string where = std::string("storage.") + name;
      check_unique(*list, where, "path", true, paths);
      for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& item = (*list)[i];
        if (!item.is_object()) {
          continue;
        }
        const std::string at = fmt::format("{}[{}]", where, i);
        check_mode(item, at);
        if (std::string_view(name) == "files") {
          const bool overwrite =
            item.contains("overwrite") && item["overwrite"].is_boolean() && item["overwrite"].get<bool>();
          if (item.contains("contents")) {
            check_resource(item["contents"], at + ".contents", overwrite);
          } else if (overwrite) {
            add(at + ".contents.source", "missing (required when overwrite is true)");
          }
          if (item.contains("append") && item["append"].is_array()) {
            for (std::size_t j = 0; j < item["append"].size(); ++j) {
              check_resource(item["append"][j], fmt::format("{}.append[{}]", at, j), true);
            }
          }
        }
        if (std::string_view(name) == "links" &&
            (!item.contains("target") || !item["target"].is_string() || item["target"].get<std::string>().empty())) {
          add(at + ".target", "missing");
        }
      }
    }
    std::map<std::string, std::string> disks;
    if (const json* list = list_at(root, "storage", "disks")) {
      check_unique(*list, "storage.disks", "device", true, disks);
    }
    std::map<std::string, std::string> filesystems;
    if (const json* list = list_at(root, "storage", "filesystems")) {
      check_unique(*list, "storage.filesystems", "device", true, filesystems);
      static const std::set<std::string, std::less<>> k_formats = { "ext4", "btrfs", "xfs", "vfat", "swap", "none" };
      for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& fs = (*list)[i];
        if (fs.is_object() && fs.contains("format") && fs["format"].is_string() &&
            k_formats.count(fs["format"].get<std::string>()) == 0) {
          add(fmt::format("storage.filesystems[{}].format", i),
              fmt::format("{} is not one of ext4, btrfs, xfs, vfat, swap, none",
                          str::quote(fs["format"].get<std::string>())));
        }
      }
    }
    std::map<std::string, std::string> raid;
    if (const json* list = list_at(root, "storage", "raid")) {
      check_unique(*list, "storage.raid", "name", false, raid);
    }
    std::map<std::string, std::string> luks;
    if (const json* list = list_at(root, "storage", "luks")) {
      check_unique(*list, "storage.luks", "name", false, luks);
    }
    if (const auto ignition = root.find("ignition"); ignition != root.end() && ignition->is_object()) {
      if (const auto config = ignition->find("config"); config != ignition->end() && config->is_object()) {
        if (const auto merge = config->find("merge"); merge != config->end() && merge->is_array()) {
          for (std::size_t i = 0; i < merge->size(); ++i) {
            check_resource((*merge)[i], fmt::format("ignition.config.merge[{}]", i), true);
          }
        }
        if (const auto replace = config->find("replace"); replace != config->end() && replace->is_object()) {
          check_resource(*replace, "ignition.config.replace", true);
        }
      }
    }
  }

  void
  check_units(const json& root)
  {
    const json* units = list_at(root, "systemd", "units");
    if (units == nullptr) {
      return;
    }
    std::map<std::string, std::string> names;
    check_unique(*units, "systemd.units", "name", false, names);
    static const std::set<std::string, std::less<>> k_suffixes = { "service",   "socket",   "device", "mount",
                                                                   "automount", "swap",     "target", "path",
                                                                   "timer",     "snapshot", "slice",  "scope" };
    for (std::size_t i = 0; i < units->size(); ++i) {
      const auto& unit = (*units)[i];
      const std::string at = fmt::format("systemd.units[{}]", i);
      if (!unit.is_object() || !unit.contains("name") || !unit["name"].is_string()) {
        continue;
      }
      const auto name = unit["name"].get<std::string>();
      const auto dot = name.rfind('.');
      if (dot == std::string::npos || dot == 0 || k_suffixes.count(name.substr(dot + 1)) == 0) {
        add(at + ".name",
            fmt::format("{} has no valid unit type suffix (.service, .path, .timer, ...)", str::quote(name)));
      }
      if (unit.contains("dropins") && unit["dropins"].is_array()) {
        std::map<std::string, std::string> dropins;
        check_unique(unit["dropins"], at + ".dropins", "name", false, dropins);
        for (const auto& [dropin, where] : dropins) {
          if (!str::ends_with(dropin, ".conf")) {
            add(where + ".name", fmt::format("{} does not end in .conf", str::quote(dropin)));
          }
        }
      }
    }
  }

  void
  check_passwd(const json& root)
  {
    if (const json* users = list_at(root, "passwd", "users")) {
      std::map<std::string, std::string> names;
      check_unique(*users, "passwd.users", "name", false, names);
      for (std::size_t i = 0; i < users->size(); ++i) {
        const auto& user = (*users)[i];
        if (!user.is_object() || !user.contains("sshAuthorizedKeys") || !user["sshAuthorizedKeys"].is_array()) {
          continue;
        }
        std::set<std::string> keys;
        for (const auto& key : user["sshAuthorizedKeys"]) {
          if (key.is_string() && !keys.insert(key.get<std::string>()).second) {
            add(fmt::format("passwd.users[{}].sshAuthorizedKeys", i), "holds the same key twice");
          }
        }
      }
    }
    if (const json* groups = list_at(root, "passwd", "groups")) {
      std::map<std::string, std::string> names;
      check_unique(*groups, "passwd.groups", "name", false, names);
    }
  }

  const ValidateOptions& m_options;
  std::vector<std::string> m_issues;
};

} // namespace

std::vector<std::string>
validation_issues(std::string_view json_text, const ValidateOptions& options)
{
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return { fmt::format("not valid JSON: {}", e.what()) };
  }
  return Checker(options).run(root);
}

Status
validate(std::string_view json_text, std::string_view origin, const ValidateOptions& options)
{
  const auto issues = validation_issues(json_text, options);
  if (issues.empty()) {
    return {};
  }
  constexpr std::size_t k_shown = 3;
  std::vector<std::string> shown(issues.begin(), issues.begin() + static_cast<long>(std::min(issues.size(), k_shown)));
  std::string more = issues.size() > k_shown ? fmt::format(" (and {} more)", issues.size() - k_shown) : "";
  return make_error(
    ErrorKind::invalid_input, "{}: invalid Ignition config: {}{}", origin, str::join(shown, "; "), more);
}

} // namespace ocne::ignition
