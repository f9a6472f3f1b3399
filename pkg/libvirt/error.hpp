#pragma once

// libvirt errors as ocne Errors. libvirt reports failures through a
// thread-local "last error"; last_error() turns it into an Error whose kind
// callers can branch on (not_found for a missing domain/pool/volume/network,
// unavailable for an unsupported call or an unreachable daemon, ...).

#include "pkg/core/error.hpp"

#include <string_view>

namespace ocne::libvirt {

// "<what>: <libvirt's message>" with the mapped kind; resets the last error.
Error last_error(std::string_view what);

// Stops libvirt from printing every error to stderr (we report them
// ourselves). Idempotent; every entry point calls it.
void silence_default_error_printing();

} // namespace ocne::libvirt
