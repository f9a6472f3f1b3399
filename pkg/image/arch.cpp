#include "pkg/image/arch.hpp"

#include "pkg/core/strings.hpp"

#include <sys/utsname.h>

namespace ocne::image {

Result<Arch>
parse_arch(std::string_view name)
{
  if (name == "amd64" || name == "x86_64") {
    return Arch::amd64;
  }
  if (name == "arm64" || name == "aarch64") {
    return Arch::arm64;
  }
  return make_error(ErrorKind::invalid_input, "unknown architecture {}: use amd64 or arm64", str::quote(name));
}

std::string_view
to_string(Arch arch)
{
  return arch == Arch::arm64 ? "arm64" : "amd64";
}

Arch
host_arch()
{
  utsname u{};
  if (::uname(&u) == 0 && std::string_view(u.machine) == "aarch64") {
    return Arch::arm64;
  }
  return Arch::amd64;
}

} // namespace ocne::image
