#pragma once

// The process environment as a value, so code that reads environment
// variables or the home directory can be tested with a fake one.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ocne {

class Environment
{
public:
  // A snapshot of the real environment; home is $HOME, else the passwd entry.
  static Environment process();
  // A fake environment with exactly these variables (HOME gives home()).
  static Environment from_map(std::map<std::string, std::string, std::less<>> vars);

  // The variable's value, or nullopt when unset. An empty value is returned as "".
  std::optional<std::string> get(std::string_view name) const;
  // The variable's value when set and not empty.
  std::optional<std::string> get_nonempty(std::string_view name) const;
  std::string get_or(std::string_view name, std::string_view fallback) const;

  const std::filesystem::path&
  home() const
  {
    return m_home;
  }
  const std::filesystem::path&
  cwd() const
  {
    return m_cwd;
  }

  void set(std::string name, std::string value);
  void unset(std::string_view name);

  const std::map<std::string, std::string, std::less<>>&
  vars() const
  {
    return m_vars;
  }

private:
  std::map<std::string, std::string, std::less<>> m_vars;
  std::filesystem::path m_home;
  std::filesystem::path m_cwd;
};

} // namespace ocne
