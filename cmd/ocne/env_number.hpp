#pragma once

// Tuning knobs from the environment (OCNE_OCI_PART_SIZE_MIB,
// OCNE_CAPI_TIMEOUT, ...): a whole number in a range, or the fallback when
// unset; anything else ends the command naming the variable.

#include "pkg/core/env.hpp"

namespace ocne::cli {

long long env_number(const Environment& env, const char* name, long long fallback, long long min, long long max);

} // namespace ocne::cli
