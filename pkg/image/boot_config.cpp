#include "pkg/image/boot_config.hpp"

#include "pkg/core/strings.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

namespace ocne::image {

namespace {

constexpr std::string_view k_platform_arg = "ignition.platform.id=";

bool
is_options_line(std::string_view line)
{
  return str::starts_with(line, "options") && (line.size() == 7 || line[7] == ' ' || line[7] == '\t');
}

// Applies edit to every options line, keeping the other lines as they are.
std::string
edit_options(std::string_view entry, const std::function<std::string(std::string_view)>& edit)
{
  std::string out;
  std::size_t start = 0;
  while (start < entry.size()) {
    auto end = entry.find('\n', start);
    const bool newline = end != std::string_view::npos;
    if (!newline) {
      end = entry.size();
    }
    const auto line = entry.substr(start, end - start);
    out += is_options_line(line) ? edit(line) : std::string(line);
    if (newline) {
      out += '\n';
    }
    start = end + 1;
  }
  return out;
}

// Where the platform argument starts on a line (at a word start), or npos.
std::size_t
find_platform_arg(std::string_view line)
{
  for (auto at = line.find(k_platform_arg); at != std::string_view::npos; at = line.find(k_platform_arg, at + 1)) {
    if (at == 0 || line[at - 1] == ' ' || line[at - 1] == '\t') {
      return at;
    }
  }
  return std::string_view::npos;
}

std::string
upper(std::string_view s)
{
  std::string out(s);
  std::transform(
    out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

} // namespace

std::optional<std::string>
platform_id_of(std::string_view entry)
{
  for (const auto& line : str::split(entry, '\n')) {
    if (!is_options_line(line)) {
      continue;
    }
    const auto at = find_platform_arg(line);
    if (at == std::string_view::npos) {
      continue;
    }
    const auto value_start = at + k_platform_arg.size();
    const auto value_end = line.find_first_of(" \t", value_start);
    return line.substr(value_start, value_end == std::string::npos ? std::string::npos : value_end - value_start);
  }
  return std::nullopt;
}

std::string
set_platform_id(std::string_view entry, std::string_view platform_id)
{
  return edit_options(entry, [&](std::string_view line) {
    std::string l(str::trim(line));
    const auto at = find_platform_arg(l);
    if (at == std::string::npos) {
      return l + " " + std::string(k_platform_arg) + std::string(platform_id);
    }
    const auto value_start = at + k_platform_arg.size();
    const auto value_end = l.find_first_of(" \t", value_start);
    return l.substr(0, value_start) + std::string(platform_id) +
           (value_end == std::string::npos ? std::string() : l.substr(value_end));
  });
}

std::string
append_kernel_args(std::string_view entry, std::string_view args)
{
  const auto trimmed = str::trim(args);
  if (trimmed.empty()) {
    return std::string(entry);
  }
  return edit_options(entry,
                      [&](std::string_view line) { return std::string(str::trim(line)) + " " + std::string(trimmed); });
}

std::string
replace_uuids(std::string_view text, const std::map<std::string, std::string>& uuids)
{
  std::string out(text);
  for (const auto& [from, to] : uuids) {
    if (from.empty() || from == to) {
      continue;
    }
    out = str::replace_all(out, str::to_lower(from), str::to_lower(to));
    out = str::replace_all(out, upper(from), upper(to));
  }
  return out;
}

Status
validate_platform_id(std::string_view id)
{
  const bool ok = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (!ok) {
    return make_error(ErrorKind::invalid_input,
                      "invalid Ignition platform id {}: use a lower-case word such as oci, ibmcloud or qemu",
                      str::quote(id));
  }
  return {};
}

Status
validate_kernel_args(std::string_view args)
{
  const bool ok =
    std::all_of(args.begin(), args.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
  if (!ok) {
    return make_error(ErrorKind::invalid_input,
                      "invalid kernel arguments {}: they must be one line of printable characters",
                      str::quote(args));
  }
  return {};
}

} // namespace ocne::image
