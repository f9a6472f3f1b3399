#include "pkg/ignition/ostree.hpp"

#include "pkg/core/strings.hpp"

#include <array>

namespace ocne::ignition {

namespace {

// Consumes the container transport in front of an image ("docker://",
// "registry:", "containers-storage:", "oci:", "oci-archive:", "dir:").
std::string_view
take_transport(std::string_view& rest)
{
  if (str::starts_with(rest, "docker://")) {
    const auto t = rest.substr(0, 9);
    rest.remove_prefix(9);
    return t;
  }
  for (const std::string_view t : { "registry:", "containers-storage:", "oci-archive:", "oci:", "dir:" }) {
    if (str::starts_with(rest, t)) {
      rest.remove_prefix(t.size());
      return t;
    }
  }
  return {};
}

std::string_view
take_token(std::string_view& rest)
{
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return {};
  }
  const auto t = rest.substr(0, colon + 1);
  rest.remove_prefix(colon + 1);
  return t;
}

} // namespace

Result<OstreeReference>
parse_ostree_reference(std::string_view reference)
{
  const auto ref = str::trim(reference);
  std::string_view rest = ref;
  std::string transport;
  struct Form
  {
    std::string_view prefix;
    bool remote;
    bool image;
  };
  static constexpr std::array<Form, 5> k_forms = { { { "ostree-unverified-registry:", false, false },
                                                     { "ostree-unverified-image:", false, true },
                                                     { "ostree-remote-registry:", true, false },
                                                     { "ostree-remote-image:", true, true },
                                                     { "ostree-image-signed:", false, true } } };
  bool matched = false;
  for (const auto& form : k_forms) {
    if (!str::starts_with(rest, form.prefix)) {
      continue;
    }
    matched = true;
    transport = std::string(form.prefix);
    rest.remove_prefix(form.prefix.size());
    if (form.remote) {
      transport += std::string(take_token(rest));
    }
    if (form.image) {
      transport += std::string(take_transport(rest));
    }
    break;
  }
  if (!matched) {
    transport = "ostree-unverified-registry:";
  }
  if (!transport.empty() && transport.back() == ':') {
    transport.pop_back();
  }
  if (rest.empty()) {
    return make_error(ErrorKind::invalid_input, "osRegistry {} names no image", str::quote(reference));
  }
  const auto last_slash = rest.rfind('/');
  const auto last = last_slash == std::string_view::npos ? rest : rest.substr(last_slash + 1);
  if (last.find(':') != std::string_view::npos || rest.find('@') != std::string_view::npos) {
    return make_error(ErrorKind::invalid_input,
                      "osRegistry {} cannot have a tag or digest; the tag comes from osTag",
                      str::quote(reference));
  }
  return OstreeReference{ std::move(transport), std::string(rest) };
}

} // namespace ocne::ignition
