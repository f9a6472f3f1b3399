#include "pkg/config/oxide_credentials.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"

#include <toml++/toml.h>

#include <map>
#include <optional>

namespace ocne::config {

namespace {

struct CredentialFiles
{
  std::filesystem::path credentials_path;
  std::filesystem::path config_path;
  bool credentials_exist = false;
  bool config_exist = false;
  std::map<std::string, OxideProfile> profiles;
  std::string default_profile;
  std::vector<std::string> warnings;
};

Result<toml::table>
parse_toml(std::string_view text, const std::string& display_name)
{
  try {
    return toml::parse(text, display_name);
  } catch (const toml::parse_error& e) {
    return make_error(
      ErrorKind::invalid_input, "{}:{}: {}", display_name, e.source().begin.line, std::string(e.description()));
  }
}

Result<toml::table>
parse_toml_file(const std::filesystem::path& path)
{
  OCNE_TRY_ASSIGN(auto text, fs::read_file(path, 1 << 20));
  return parse_toml(text, path.string());
}

Result<CredentialFiles>
read_files(const Environment& env)
{
  CredentialFiles files;
  const auto dir = oxide_config_dir(env);
  files.credentials_path = dir / "credentials.toml";
  files.config_path = dir / "config.toml";
  std::error_code ec;
  files.credentials_exist = std::filesystem::exists(files.credentials_path, ec);
  files.config_exist = std::filesystem::exists(files.config_path, ec);
  if (files.credentials_exist) {
    if (auto mode = fs::file_mode(files.credentials_path); mode && (*mode & 077) != 0) {
      files.warnings.push_back(
        fmt::format("{}: permissions {:04o} let others read your Oxide tokens; run: chmod 600 {}",
                    files.credentials_path.string(),
                    *mode,
                    files.credentials_path.string()));
    }
    OCNE_TRY_ASSIGN(auto text, fs::read_file(files.credentials_path, 1 << 20));
    OCNE_TRY_ASSIGN(files.profiles, parse_oxide_credentials(text, files.credentials_path.string()));
  }
  if (files.config_exist) {
    OCNE_TRY_ASSIGN(auto table, parse_toml_file(files.config_path));
    if (const auto p = table["default-profile"].value<std::string>()) {
      files.default_profile = *p;
    }
  }
  return files;
}

Result<OxideCredentials>
from_profile(const CredentialFiles& files, const std::string& name, const std::string& why)
{
  const auto it = files.profiles.find(name);
  if (it == files.profiles.end()) {
    std::vector<std::string> names;
    for (const auto& [n, p] : files.profiles) {
      names.push_back(n);
    }
    return make_error(ErrorKind::invalid_input,
                      "{}: no profile '{}' ({}; profiles: {})",
                      files.credentials_path.string(),
                      name,
                      why,
                      names.empty() ? std::string(files.credentials_exist ? "none" : "file not found")
                                    : str::join(names, ", "));
  }
  OxideCredentials c;
  c.host = it->second.host;
  c.token = it->second.token;
  c.source = fmt::format("profile '{}' in {}", name, files.credentials_path.string());
  c.warnings = files.warnings;
  return c;
}

} // namespace

Result<std::map<std::string, OxideProfile>>
parse_oxide_credentials(std::string_view text, const std::string& display_name)
{
  OCNE_TRY_ASSIGN(auto table, parse_toml(text, display_name));
  std::map<std::string, OxideProfile> out;
  if (!table.contains("profile")) {
    return out;
  }
  const auto* profiles = table["profile"].as_table();
  if (profiles == nullptr) {
    return make_error(ErrorKind::invalid_input, "{}: 'profile' must be a table of profiles", display_name);
  }
  for (const auto& [name, node] : *profiles) {
    const auto* t = node.as_table();
    const auto line = node.source().begin.line;
    if (t == nullptr) {
      return make_error(ErrorKind::invalid_input, "{}:{}: profile.{} must be a table", display_name, line, name.str());
    }
    const auto host = (*t)["host"].value<std::string>();
    const auto token = (*t)["token"].value<std::string>();
    // A host of only blanks normalizes to nothing; treat it as missing.
    const std::string normalized_host = host ? normalize_oxide_host(*host) : std::string();
    if (normalized_host.empty() || !token || token->empty()) {
      return make_error(ErrorKind::invalid_input,
                        "{}:{}: profile '{}' needs both host and token strings",
                        display_name,
                        line,
                        name.str());
    }
    out[std::string(name.str())] = OxideProfile{ normalized_host, Secret(*token), static_cast<int>(line) };
  }
  return out;
}

std::filesystem::path
oxide_config_dir(const Environment& env)
{
  return env.home() / ".config" / "oxide";
}

std::string
normalize_oxide_host(std::string_view host)
{
  std::string h(str::trim(host));
  if (!h.empty() && h.find("://") == std::string::npos) {
    h = "https://" + h;
  }
  while (!h.empty() && h.back() == '/') {
    h.pop_back();
  }
  return h;
}

Result<OxideCredentials>
resolve_oxide_credentials(const Environment& env, const OxideCredentialRequest& request)
{
  const auto env_host = env.get_nonempty("OXIDE_HOST");
  const auto env_token = env.get_nonempty("OXIDE_TOKEN");
  const auto env_profile = env.get_nonempty("OXIDE_PROFILE");
  const std::string host = !request.host.empty() ? normalize_oxide_host(request.host)
                                                 : (env_host ? normalize_oxide_host(*env_host) : std::string());

  // 1. A profile named in config or flags.
  if (!request.profile.empty()) {
    OCNE_TRY_ASSIGN(auto files, read_files(env));
    OCNE_TRY_ASSIGN(auto creds, from_profile(files, request.profile, "named by " + request.profile_subject));
    if (!request.host.empty() && normalize_oxide_host(request.host) != creds.host) {
      return make_error(ErrorKind::invalid_input,
                        "{} ({}) and {} ('{}', whose host is {}) disagree; set only one so the token is not sent to "
                        "another host",
                        request.host_subject,
                        request.host,
                        request.profile_subject,
                        request.profile,
                        creds.host);
    }
    return creds;
  }

  if (env_host && env_profile) {
    return make_error(ErrorKind::invalid_input, "OXIDE_HOST and OXIDE_PROFILE are both set; unset one of them");
  }

  // 2. A token from the environment.
  if (env_token) {
    if (host.empty()) {
      return make_error(
        ErrorKind::invalid_input, "OXIDE_TOKEN is set but no host is: set {} or OXIDE_HOST", request.host_subject);
    }
    OxideCredentials c;
    c.host = host;
    c.token = Secret(*env_token);
    c.source = request.host.empty() ? "OXIDE_HOST and OXIDE_TOKEN" : request.host_subject + " and OXIDE_TOKEN";
    return c;
  }

  // 3. credentials.toml.
  OCNE_TRY_ASSIGN(auto files, read_files(env));
  if (!host.empty()) {
    for (const auto& [name, profile] : files.profiles) {
      if (profile.host == host) {
        return from_profile(files, name, "matched by host");
      }
    }
  }
  if (env_profile) {
    return from_profile(files, *env_profile, "named by OXIDE_PROFILE");
  }
  if (!files.default_profile.empty()) {
    return from_profile(files, files.default_profile, "default-profile in " + files.config_path.string());
  }
  const auto state = [](bool exists) { return exists ? "" : " (not found)"; };
  return make_error(ErrorKind::auth,
                    "no Oxide credentials found: set OXIDE_HOST and OXIDE_TOKEN, or {}, or log in with 'oxide auth "
                    "login' (looked at {}{}, OXIDE_TOKEN, OXIDE_PROFILE, {}{}{}, {}{})",
                    request.profile_subject,
                    request.host_subject,
                    host.empty() ? " (unset)" : "",
                    files.credentials_path.string(),
                    state(files.credentials_exist),
                    !host.empty() && files.credentials_exist ? fmt::format(" (no profile for {})", host) : "",
                    files.config_path.string(),
                    state(files.config_exist));
}

} // namespace ocne::config
