#pragma once

// /etc/ocne/update.yaml on an OCK node: where ocne-update.service looks for
// the next OS image (registry, tag, transport). The service reads the three
// keys with yq every two minutes and, when the image is new, downloads it
// and points the ostree ref ock:ock at it (docs/upgrade.md, "cluster stage").

#include "pkg/core/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ocne::ock {

inline constexpr const char* k_update_yaml = "/etc/ocne/update.yaml";
inline constexpr const char* k_update_yaml_mode = "0400";
inline constexpr const char* k_update_service = "ocne-update.service";
inline constexpr const char* k_update_available_annotation = "ocne.oracle.com/update-available";

struct UpdateSource
{
  std::string registry;
  std::string tag;
  std::string transport;
  bool operator==(const UpdateSource&) const = default;
};

// The three keys of the file (top-level "key: value" lines; quotes and a
// trailing CR dropped). Missing keys are empty.
UpdateSource parse_update_yaml(std::string_view text);

// The file with each non-empty field of wanted set: the key's line rewritten,
// or appended when the key is missing; every other line kept as it was.
std::string rewrite_update_yaml(std::string_view text, const UpdateSource& wanted);

// Whether the file already says what wanted says (empty fields match anything).
bool update_source_matches(const UpdateSource& have, const UpdateSource& wanted);

// The transports ocne-update.sh accepts (anything else makes the service
// fail in a loop on every node): *docker://, ostree-unverified-image:*,
// ostree-image-signed:*, ostree-unverified-registry, ostree-remote-image:*:*,
// ostree-remote-registry:*:*. invalid_input naming the flag otherwise.
Status validate_transport(std::string_view transport);

// A registry without a tag or digest (the tag is the Kubernetes minor) and
// without white space.
Status validate_os_registry(std::string_view registry);

// "1.34" -> "1.34"; anything else (a custom tag) -> nullopt.
std::optional<std::string> tag_minor(std::string_view tag);

} // namespace ocne::ock
