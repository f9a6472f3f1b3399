#include "pkg/config/oci_config.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"

#include <cctype>

namespace ocne::config {

namespace {

const std::string k_default_section = "DEFAULT";

// 16 pairs of hex digits separated by ':' (an MD5 of the public key).
bool
is_fingerprint(std::string_view s)
{
  if (s.size() != 47) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool colon = i % 3 == 2;
    if (colon ? s[i] != ':' : !std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

} // namespace

Result<IniFile>
parse_ini(std::string_view text, const std::string& display_name)
{
  IniFile ini;
  std::string section;
  std::string* last_value = nullptr; // for continuation lines
  int line_no = 0;
  for (const auto& raw : str::split(text, '\n')) {
    ++line_no;
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    const auto trimmed = str::trim(line);
    if (trimmed.empty()) {
      last_value = nullptr;
      continue;
    }
    if (trimmed.front() == '#' || trimmed.front() == ';') {
      continue;
    }
    const bool indented = line.front() == ' ' || line.front() == '\t';
    if (indented && last_value != nullptr) {
      *last_value += "\n";
      *last_value += trimmed;
      continue;
    }
    if (trimmed.front() == '[') {
      if (trimmed.back() != ']' || trimmed.size() < 3) {
        return make_error(
          ErrorKind::invalid_input, "{}:{}: malformed section header {}", display_name, line_no, str::quote(trimmed));
      }
      section = std::string(str::trim(trimmed.substr(1, trimmed.size() - 2)));
      if (ini.sections.count(section) != 0) {
        return make_error(
          ErrorKind::invalid_input, "{}:{}: section [{}] appears twice", display_name, line_no, section);
      }
      ini.sections[section];
      ini.order.push_back(section);
      last_value = nullptr;
      continue;
    }
    if (section.empty()) {
      return make_error(
        ErrorKind::invalid_input,
        "{}:{}: a key outside of any [profile] section (the file must start with a section such as [DEFAULT])",
        display_name,
        line_no);
    }
    const auto sep = trimmed.find_first_of("=:");
    if (sep == std::string_view::npos || sep == 0) {
      return make_error(
        ErrorKind::invalid_input, "{}:{}: expected key=value, got {}", display_name, line_no, str::quote(trimmed));
    }
    const auto key = str::to_lower(str::trim(trimmed.substr(0, sep)));
    auto& entries = ini.sections[section];
    if (entries.count(key) != 0) {
      return make_error(
        ErrorKind::invalid_input, "{}:{}: key '{}' appears twice in [{}]", display_name, line_no, key, section);
    }
    auto& entry = entries[key];
    entry.value = std::string(str::trim(trimmed.substr(sep + 1)));
    entry.line = line_no;
    last_value = &entry.value;
  }
  return ini;
}

std::string
OciProfile::where(const std::string& key) const
{
  const auto it = lines.find(key);
  return it == lines.end() ? display_file : fmt::format("{}:{}", display_file, it->second);
}

std::filesystem::path
oci_config_path(const Environment& env, const std::optional<std::string>& explicit_file)
{
  if (explicit_file && !explicit_file->empty()) {
    return fs::resolve_path(*explicit_file, env.cwd(), env.home());
  }
  for (const auto* var : { "OCI_CLI_CONFIG_FILE", "OCI_CONFIG_FILE" }) {
    if (auto path = env.get_nonempty(var)) {
      return fs::resolve_path(*path, env.cwd(), env.home());
    }
  }
  return env.home() / ".oci" / "config";
}

Result<OciProfile>
load_oci_profile(const Environment& env, const OciConfigRequest& request)
{
  OciProfile p;
  p.file = oci_config_path(env, request.file);
  p.display_file = p.file.string();
  auto text = fs::read_file(p.file, 1 << 20);
  if (!text) {
    if (text.error().kind() == ErrorKind::not_found) {
      return make_error(ErrorKind::not_found,
                        "{}: no such file (create it with 'oci setup config', or point OCI_CLI_CONFIG_FILE at yours)",
                        p.display_file);
    }
    return make_error(text.error());
  }
  OCNE_TRY_ASSIGN(auto ini, parse_ini(*text, p.display_file));

  if (request.profile && !request.profile->empty()) {
    p.profile = *request.profile;
  } else {
    p.profile = env.get_or("OCI_CLI_PROFILE", k_default_section);
  }
  if (ini.sections.count(p.profile) == 0) {
    return make_error(ErrorKind::invalid_input,
                      "{}: profile '{}' not found (profiles: {})",
                      p.display_file,
                      p.profile,
                      ini.order.empty() ? std::string("none") : str::join(ini.order, ", "));
  }
  const auto& own = ini.sections.at(p.profile);
  const auto* defaults = ini.sections.count(k_default_section) != 0 ? &ini.sections.at(k_default_section) : nullptr;
  // Per-key inheritance: a key missing from the profile comes from [DEFAULT].
  const auto get = [&](const std::string& key) -> const IniValue* {
    if (const auto it = own.find(key); it != own.end()) {
      return &it->second;
    }
    if (defaults != nullptr) {
      if (const auto it = defaults->find(key); it != defaults->end()) {
        return &it->second;
      }
    }
    return nullptr;
  };
  const auto take = [&](const std::string& key, std::string& out) {
    if (const auto* v = get(key)) {
      out = v->value;
      p.lines[key] = v->line;
    }
  };

  if (const auto* content = get("key_content")) {
    return make_error(ErrorKind::invalid_input,
                      "{}:{}: key_content is not allowed in the config file; put the key in a file and set key_file",
                      p.display_file,
                      content->line);
  }
  take("user", p.user);
  take("fingerprint", p.fingerprint);
  take("tenancy", p.tenancy);
  take("region", p.region);
  std::string key_file;
  take("key_file", key_file);
  std::string token_file;
  take("security_token_file", token_file);
  std::string pass;
  if (get("pass_phrase") != nullptr) {
    take("pass_phrase", pass);
  } else {
    take("passphrase", pass); // the Go SDK's spelling
  }
  p.pass_phrase = Secret(std::move(pass));
  p.key_file =
    key_file.empty() ? std::filesystem::path() : fs::resolve_path(key_file, p.file.parent_path(), env.home());
  p.security_token_file =
    token_file.empty() ? std::filesystem::path() : fs::resolve_path(token_file, p.file.parent_path(), env.home());

  std::vector<std::string> missing;
  if (p.user.empty() && p.security_token_file.empty()) {
    missing.emplace_back("user");
  }
  for (const auto& [key, value] : { std::pair{ "fingerprint", &p.fingerprint },
                                    std::pair{ "tenancy", &p.tenancy },
                                    std::pair{ "region", &p.region },
                                    std::pair{ "key_file", &key_file } }) {
    if (value->empty()) {
      missing.emplace_back(key);
    }
  }
  if (!missing.empty()) {
    return make_error(
      ErrorKind::invalid_input, "{}: profile '{}' lacks {}", p.display_file, p.profile, str::join(missing, ", "));
  }
  if (!is_fingerprint(p.fingerprint)) {
    return make_error(ErrorKind::invalid_input,
                      "{}: fingerprint {} is not a key fingerprint (16 hex pairs separated by ':')",
                      p.where("fingerprint"),
                      str::quote(p.fingerprint));
  }
  p.fingerprint = str::to_lower(p.fingerprint);
  if (!str::starts_with(p.tenancy, "ocid1.")) {
    return make_error(ErrorKind::invalid_input,
                      "{}: tenancy {} is not an OCID (ocid1.tenancy....)",
                      p.where("tenancy"),
                      str::quote(p.tenancy));
  }
  if (!p.user.empty() && !str::starts_with(p.user, "ocid1.")) {
    return make_error(
      ErrorKind::invalid_input, "{}: user {} is not an OCID (ocid1.user....)", p.where("user"), str::quote(p.user));
  }
  return p;
}

Result<Secret>
read_private_key_file(const std::filesystem::path& path)
{
  auto mode = fs::file_mode(path);
  if (!mode) {
    return make_error(mode.error());
  }
  if ((*mode & 077) != 0) {
    return make_error(ErrorKind::invalid_input,
                      "{}: permissions {:04o} are too open for a private key; run: chmod 600 {}",
                      path.string(),
                      *mode,
                      path.string());
  }
  auto text = fs::read_file(path, 1 << 20);
  if (!text) {
    return make_error(text.error());
  }
  if (text->find("-----BEGIN") == std::string::npos) {
    return make_error(ErrorKind::invalid_input, "{}: not a PEM private key", path.string());
  }
  return Secret(std::move(*text));
}

Result<Secret>
read_security_token(const OciProfile& profile)
{
  if (profile.security_token_file.empty()) {
    return make_error(
      ErrorKind::invalid_input, "{}: profile '{}' has no security_token_file", profile.display_file, profile.profile);
  }
  auto text = fs::read_file(profile.security_token_file, 1 << 20);
  if (!text) {
    return make_error(text.error());
  }
  auto token = std::string(str::trim(*text));
  if (token.empty()) {
    return make_error(
      ErrorKind::invalid_input, "{}: the session token file is empty", profile.security_token_file.string());
  }
  return Secret(std::move(token));
}

} // namespace ocne::config
