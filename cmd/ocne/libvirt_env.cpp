#include "cmd/ocne/libvirt_env.hpp"

#include "cmd/ocne/env_number.hpp"

#include <optional>
#include <string>

namespace ocne::cli {

std::function<void(providers::libvirt::Options&)>
libvirt_env_overrides(const Environment& env)
{
  // Instead of detecting them: the domain type (kvm, qemu) and the guest
  // architecture (x86_64, aarch64).
  const auto domain_type = env.get_nonempty("OCNE_LIBVIRT_DOMAIN_TYPE");
  const auto arch = env.get_nonempty("OCNE_LIBVIRT_ARCH");
  std::optional<std::chrono::seconds> ready;
  if (const long long seconds = env_number(env, "OCNE_LIBVIRT_READY_TIMEOUT", 0, 1, 7 * 24 * 3600); seconds > 0) {
    ready = std::chrono::seconds(seconds);
  }
  return [domain_type, arch, ready](providers::libvirt::Options& o) {
    if (domain_type) {
      o.domain_type = *domain_type;
    }
    if (arch) {
      o.arch = *arch;
    }
    if (ready) {
      o.ready_timeout = *ready;
    }
  };
}

} // namespace ocne::cli
