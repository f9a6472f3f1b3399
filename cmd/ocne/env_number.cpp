#include "cmd/ocne/env_number.hpp"

#include "pkg/core/env_number.hpp"
#include "pkg/core/error.hpp"

namespace ocne::cli {

long long
env_number(const Environment& env, const char* name, long long fallback, long long min, long long max)
{
  return value_or_throw(number_from_env(env, name, fallback, min, max));
}

} // namespace ocne::cli
