#include "providers/libvirt/env_overrides.hpp"

#include "pkg/core/env_number.hpp"

#include <optional>
#include <string>

namespace ocne::providers::libvirt {

Result<std::function<void(Options&)>>
env_overrides(const Environment& env)
{
  // Instead of detecting them: the domain type (kvm, qemu) and the guest
  // architecture (x86_64, aarch64).
  const auto domain_type = env.get_nonempty("OCNE_LIBVIRT_DOMAIN_TYPE");
  const auto arch = env.get_nonempty("OCNE_LIBVIRT_ARCH");
  std::optional<std::chrono::seconds> ready;
  OCNE_TRY_ASSIGN(const long long seconds, number_from_env(env, "OCNE_LIBVIRT_READY_TIMEOUT", 0, 1, 7 * 24 * 3600));
  if (seconds > 0) {
    ready = std::chrono::seconds(seconds);
  }
  return [domain_type, arch, ready](Options& o) {
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

} // namespace ocne::providers::libvirt
