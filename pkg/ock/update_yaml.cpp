#include "pkg/ock/update_yaml.hpp"

#include "pkg/core/strings.hpp"

#include <regex>
#include <vector>

namespace ocne::ock {

namespace {

constexpr const char* k_keys[] = { "registry", "tag", "transport" };

std::string
unquote(std::string_view v)
{
  v = str::trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    v = v.substr(1, v.size() - 2);
  }
  return std::string(v);
}

// The key of a top-level "key: value" line, or "".
std::string
key_of(std::string_view line)
{
  const auto colon = line.find(':');
  if (line.empty() || line.front() == ' ' || line.front() == '#' || colon == std::string_view::npos) {
    return "";
  }
  return std::string(str::trim(line.substr(0, colon)));
}

std::string*
field(UpdateSource& s, std::string_view key)
{
  if (key == "registry") {
    return &s.registry;
  }
  if (key == "tag") {
    return &s.tag;
  }
  if (key == "transport") {
    return &s.transport;
  }
  return nullptr;
}

const std::string*
field(const UpdateSource& s, std::string_view key)
{
  return field(const_cast<UpdateSource&>(s), key);
}

// Shell-style match where '*' is any run of characters.
bool
glob(std::string_view pattern, std::string_view text)
{
  if (pattern.empty()) {
    return text.empty();
  }
  if (pattern.front() == '*') {
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (glob(pattern.substr(1), text.substr(i))) {
        return true;
      }
    }
    return false;
  }
  return !text.empty() && text.front() == pattern.front() && glob(pattern.substr(1), text.substr(1));
}

bool
has_space(std::string_view s)
{
  return s.find_first_of(" \t\r\n") != std::string_view::npos;
}

} // namespace

UpdateSource
parse_update_yaml(std::string_view text)
{
  UpdateSource out;
  for (auto line : str::split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const auto key = key_of(line);
    if (auto* f = key.empty() ? nullptr : field(out, key)) {
      *f = unquote(std::string_view(line).substr(line.find(':') + 1));
    }
  }
  return out;
}

std::string
rewrite_update_yaml(std::string_view text, const UpdateSource& wanted)
{
  auto lines = str::split(text, '\n');
  const bool trailing_newline = !text.empty() && text.back() == '\n';
  if (trailing_newline) {
    lines.pop_back(); // the empty piece after the last newline
  }
  for (const char* key : k_keys) {
    const auto& value = *field(wanted, key);
    if (value.empty()) {
      continue;
    }
    bool found = false;
    for (auto& line : lines) {
      if (key_of(line) == key) {
        const bool cr = !line.empty() && line.back() == '\r';
        line = std::string(key) + ": " + value + (cr ? "\r" : "");
        found = true;
      }
    }
    if (!found) {
      lines.push_back(std::string(key) + ": " + value);
    }
  }
  auto out = str::join(lines, "\n");
  return out.empty() ? out : out + "\n";
}

bool
update_source_matches(const UpdateSource& have, const UpdateSource& wanted)
{
  for (const char* key : k_keys) {
    const auto& want = *field(wanted, key);
    if (!want.empty() && *field(have, key) != want) {
      return false;
    }
  }
  return true;
}

Status
validate_transport(std::string_view transport)
{
  static const char* const accepted[] = { "*docker://",
                                          "ostree-unverified-image:*",
                                          "ostree-image-signed:*",
                                          "ostree-unverified-registry",
                                          "ostree-remote-image:*:*",
                                          "ostree-remote-registry:*:*" };
  if (!has_space(transport)) {
    for (const char* pattern : accepted) {
      if (glob(pattern, transport)) {
        return {};
      }
    }
  }
  return make_error(ErrorKind::invalid_input,
                    "--transport {}: not a transport ocne-update.service accepts (ostree-unverified-registry, "
                    "ostree-unverified-image:docker://, ostree-image-signed:..., ostree-remote-registry:REMOTE:..., "
                    "ostree-remote-image:REMOTE:...)",
                    str::quote(transport));
}

Status
validate_os_registry(std::string_view registry)
{
  if (registry.empty() || has_space(registry)) {
    return make_error(ErrorKind::invalid_input, "--os-registry {}: not a registry path", str::quote(registry));
  }
  const auto slash = registry.rfind('/');
  const auto last = slash == std::string_view::npos ? registry : registry.substr(slash + 1);
  if (last.find(':') != std::string_view::npos || registry.find('@') != std::string_view::npos) {
    return make_error(ErrorKind::invalid_input,
                      "--os-registry {}: cannot have a tag or digest (the tag is the Kubernetes version)",
                      str::quote(registry));
  }
  return {};
}

std::optional<std::string>
tag_minor(std::string_view tag)
{
  static const std::regex minor(R"(^[1-9]\.[0-9]{2}$)");
  if (std::regex_match(tag.begin(), tag.end(), minor)) {
    return std::string(tag);
  }
  return std::nullopt;
}

} // namespace ocne::ock
