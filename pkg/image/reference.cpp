#include "pkg/image/reference.hpp"

#include "pkg/core/strings.hpp"

#include <algorithm>
#include <cctype>

namespace ocne::image {

namespace {

constexpr std::size_t k_max_name = 255;

bool
is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
is_alnum(char c)
{
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// One path component: lower-case alphanumerics joined by ".", "_", "__" or
// runs of "-".
bool
valid_component(std::string_view c)
{
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) {
    return false;
  }
  for (std::size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) {
      ++j;
    }
    const auto sep = c.substr(i, j - i);
    const bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (sep != "." && sep != "_" && sep != "__" && !dashes) {
      return false;
    }
    i = j;
  }
  return true;
}

// A registry host: DNS labels or an IPv4 address, or a bracketed IPv6
// address, with an optional :port.
bool
valid_host(std::string_view h)
{
  std::string_view host = h;
  std::string_view port;
  if (str::starts_with(h, "[")) {
    const auto close = h.find(']');
    if (close == std::string_view::npos || close == 1) {
      return false;
    }
    const auto inner = h.substr(1, close - 1);
    if (inner.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return false;
    }
    const auto rest = h.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return false;
      }
      port = rest.substr(1);
      if (port.empty()) {
        return false;
      }
    }
    host = {};
  } else if (const auto colon = h.rfind(':'); colon != std::string_view::npos) {
    host = h.substr(0, colon);
    port = h.substr(colon + 1);
    if (port.empty()) {
      return false;
    }
  }
  if (!port.empty() && (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)) {
    return false;
  }
  if (str::starts_with(h, "[")) {
    return true;
  }
  if (host.empty()) {
    return false;
  }
  for (const auto& label : str::split(host, '.')) {
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
      return false;
    }
  }
  return true;
}

// The first path component names a registry when it looks like a host:
// it has a dot or a port, is "localhost", or has upper-case letters (which
// a repository cannot have).
bool
looks_like_host(std::string_view first)
{
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
         std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

} // namespace

bool
valid_tag(std::string_view t)
{
  if (t.empty() || t.size() > 128) {
    return false;
  }
  const auto word = [](char c) { return is_alnum(c) || c == '_'; };
  if (!word(t.front())) {
    return false;
  }
  return std::all_of(t.begin(), t.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

std::string
Reference::name() const
{
  return registry + "/" + repository;
}

std::string
Reference::str() const
{
  std::string out = name();
  if (!tag.empty()) {
    out += ":" + tag;
  }
  if (digest) {
    out += "@" + digest->str();
  }
  return out;
}

std::string
Reference::manifest_ref() const
{
  return digest ? digest->str() : tag;
}

std::string
Reference::api_host() const
{
  return registry == k_docker_hub ? "registry-1.docker.io" : registry;
}

Result<Reference>
parse_reference(std::string_view text)
{
  const auto fail = [&](std::string_view why) {
    return make_error(ErrorKind::invalid_input, "invalid image reference {}: {}", str::quote(text), why);
  };
  std::string_view rest = text;
  if (str::starts_with(rest, "docker://")) {
    rest.remove_prefix(9);
  } else if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
    return fail(fmt::format("unsupported transport {}: use docker://", str::quote(rest.substr(0, sep + 3))));
  }
  if (rest.empty()) {
    return fail("it is empty");
  }
  if (rest.find_first_of(" \t\n\r") != std::string_view::npos) {
    return fail("it contains white space");
  }

  Reference ref;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    auto digest = parse_digest(rest.substr(at + 1));
    if (!digest) {
      return fail(digest.error().message());
    }
    ref.digest = std::move(*digest);
    rest = rest.substr(0, at);
  }
  // A tag follows the last ':' that comes after the last '/'.
  const auto slash = rest.rfind('/');
  if (const auto colon = rest.rfind(':');
      colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!valid_tag(ref.tag)) {
      return fail(fmt::format("invalid tag {}: a tag is up to 128 letters, digits, '_', '.' and '-', "
                              "not starting with '.' or '-'",
                              str::quote(ref.tag)));
    }
  }
  if (rest.empty()) {
    return fail("the repository name is missing");
  }

  std::string_view path = rest;
  if (const auto first_slash = rest.find('/');
      first_slash != std::string_view::npos && looks_like_host(rest.substr(0, first_slash))) {
    ref.registry = std::string(rest.substr(0, first_slash));
    path = rest.substr(first_slash + 1);
    if (!valid_host(ref.registry)) {
      return fail(fmt::format("invalid registry host {}", str::quote(ref.registry)));
    }
  } else {
    ref.registry = std::string(k_docker_hub);
  }
  if (ref.registry == "index.docker.io") {
    ref.registry = std::string(k_docker_hub);
  }
  if (path.empty()) {
    return fail("the repository name is missing");
  }
  for (const auto& component : str::split(path, '/')) {
    if (component.empty()) {
      return fail("the repository name has an empty path component");
    }
    if (!valid_component(component)) {
      if (std::any_of(component.begin(), component.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        return fail("repository names must be lower case");
      }
      return fail(fmt::format("invalid repository path component {}", str::quote(component)));
    }
  }
  ref.repository = std::string(path);
  if (ref.registry == k_docker_hub && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.name().size() > k_max_name) {
    return fail(fmt::format("the name is longer than {} characters", k_max_name));
  }
  if (ref.tag.empty() && !ref.digest) {
    ref.tag = "latest";
  }
  return ref;
}

} // namespace ocne::image
