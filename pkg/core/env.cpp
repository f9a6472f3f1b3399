#include "pkg/core/env.hpp"

#include <pwd.h>
#include <unistd.h>

#include <system_error>

extern char** environ; // NOLINT: POSIX

namespace ocne {

Environment
Environment::process()
{
  std::map<std::string, std::string, std::less<>> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string_view::npos) {
      vars.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
  }
  Environment env = from_map(std::move(vars));
  if (env.m_home.empty()) {
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
      env.m_home = pw->pw_dir;
    }
  }
  std::error_code ec;
  env.m_cwd = std::filesystem::current_path(ec);
  return env;
}

Environment
Environment::from_map(std::map<std::string, std::string, std::less<>> vars)
{
  Environment env;
  env.m_vars = std::move(vars);
  if (auto home = env.get_nonempty("HOME")) {
    env.m_home = *home;
  }
  std::error_code ec;
  env.m_cwd = std::filesystem::current_path(ec);
  return env;
}

std::optional<std::string>
Environment::get(std::string_view name) const
{
  const auto it = m_vars.find(name);
  if (it == m_vars.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string>
Environment::get_nonempty(std::string_view name) const
{
  auto value = get(name);
  if (value && value->empty()) {
    return std::nullopt;
  }
  return value;
}

std::string
Environment::get_or(std::string_view name, std::string_view fallback) const
{
  auto value = get_nonempty(name);
  return value ? *value : std::string(fallback);
}

void
Environment::set(std::string name, std::string value)
{
  if (name == "HOME") {
    m_home = value;
  }
  m_vars.insert_or_assign(std::move(name), std::move(value));
}

void
Environment::unset(std::string_view name)
{
  if (const auto it = m_vars.find(name); it != m_vars.end()) {
    m_vars.erase(it);
  }
}

} // namespace ocne
