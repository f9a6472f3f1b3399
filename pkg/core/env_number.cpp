#include "pkg/core/env_number.hpp"

#include "pkg/core/strings.hpp"

#include <charconv>

namespace ocne {

Result<long long>
number_from_env(const Environment& env, std::string_view name, long long fallback, long long min, long long max)
{
  const auto text = env.get_nonempty(name);
  if (!text) {
    return fallback;
  }
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || value < min || value > max) {
    return make_error(
      ErrorKind::invalid_input, "{}={} is not a number from {} to {}", name, str::quote(*text), min, max);
  }
  return value;
}

} // namespace ocne
