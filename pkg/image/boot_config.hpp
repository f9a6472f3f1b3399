#pragma once

// Text edits of a boot disk's configuration, kept apart from libguestfs so
// they are easy to test: the Ignition platform id and extra arguments on the
// "options" lines of Boot Loader Specification entries, and file system UUID
// references in entries, fstab and grub files.

#include "pkg/core/error.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ocne::image {

// The value of ignition.platform.id on the first options line, if any.
std::optional<std::string> platform_id_of(std::string_view entry);

// Sets ignition.platform.id=<id> on every options line (replacing the value,
// or appending the argument when the line has none).
std::string set_platform_id(std::string_view entry, std::string_view platform_id);

// Appends args to every options line.
std::string append_kernel_args(std::string_view entry, std::string_view args);

// Replaces every occurrence of each old UUID (in lower or upper case) by its
// new one. UUIDs keep their length, so fixed-size files (grubenv) stay valid.
std::string replace_uuids(std::string_view text, const std::map<std::string, std::string>& uuids);

// A platform id is a lower-case word ([a-z0-9_-]+), as Ignition's are.
Status validate_platform_id(std::string_view id);
// Kernel arguments are one line of printable characters.
Status validate_kernel_args(std::string_view args);

} // namespace ocne::image
