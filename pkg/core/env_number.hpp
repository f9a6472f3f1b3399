#pragma once

// Tuning knobs from the environment (OCNE_CAPI_TIMEOUT, OCNE_LIBVIRT_*,
// OCNE_OCI_PART_SIZE_MIB, ...).

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"

#include <string_view>

namespace ocne {

// A whole number from min to max, or fallback when the variable is unset or
// empty; anything else is an error naming the variable.
Result<long long> number_from_env(const Environment& env,
                                  std::string_view name,
                                  long long fallback,
                                  long long min,
                                  long long max);

} // namespace ocne
