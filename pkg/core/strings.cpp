#include "pkg/core/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ocne::str {

std::string_view
trim(std::string_view s)
{
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::string
to_lower(std::string_view s)
{
  std::string out(s);
  std::transform(
    out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool
starts_with(std::string_view s, std::string_view prefix)
{
  return s.substr(0, prefix.size()) == prefix;
}

bool
ends_with(std::string_view s, std::string_view suffix)
{
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string>
split(std::string_view s, char sep)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string>
split_trimmed(std::string_view s, char sep)
{
  std::vector<std::string> out;
  for (const auto& part : split(s, sep)) {
    const auto t = trim(part);
    if (!t.empty()) {
      out.emplace_back(t);
    }
  }
  return out;
}

std::string
join(const std::vector<std::string>& parts, std::string_view sep)
{
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

std::string
replace_all(std::string_view s, std::string_view from, std::string_view to)
{
  if (from.empty()) {
    return std::string(s);
  }
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(from, start);
    if (pos == std::string_view::npos) {
      out.append(s.substr(start));
      return out;
    }
    out.append(s.substr(start, pos - start));
    out.append(to);
    start = pos + from.size();
  }
}

std::string
quote(std::string_view s)
{
  std::string out = "'";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\'') {
      out += "\\'";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

} // namespace ocne::str
