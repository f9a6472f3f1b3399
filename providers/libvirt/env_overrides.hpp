#pragma once

// The libvirt knobs that are not in ocne's configuration
// (OCNE_LIBVIRT_DOMAIN_TYPE, OCNE_LIBVIRT_ARCH, OCNE_LIBVIRT_READY_TIMEOUT),
// read once and applied alike to `cluster start -P libvirt` and to the
// ephemeral cluster that `cluster start|delete -P oci|oxide` starts.

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "providers/libvirt/options.hpp"

#include <functional>

namespace ocne::providers::libvirt {

// Reads the variables now (a bad value is an error naming it) and returns
// what sets them on a driver's options.
Result<std::function<void(Options&)>> env_overrides(const Environment& env);

} // namespace ocne::providers::libvirt
