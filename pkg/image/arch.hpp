#pragma once

// The two CPU architectures OCK images exist for, in the names the OCI image
// spec and ocne use ("amd64", "arm64").

#include "pkg/core/error.hpp"

#include <string_view>

namespace ocne::image {

enum class Arch { amd64, arm64 };

// "amd64" or "arm64"; the kernel's names "x86_64" and "aarch64" are accepted too.
Result<Arch> parse_arch(std::string_view name);
std::string_view to_string(Arch arch);
// The architecture this ocne runs on (amd64 when it is neither).
Arch host_arch();

} // namespace ocne::image
