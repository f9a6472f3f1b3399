#include "cmd/ocne/duration_flag.hpp"

#include <fmt/format.h>

#include <cctype>

namespace ocne::cli {

Result<std::chrono::milliseconds>
parse_duration(std::string_view flag, std::string_view text)
{
  const auto bad = [&] { return make_error(ErrorKind::invalid_input, "{} {}: not a duration (e.g. 30m)", flag, text); };
  if (text.empty()) {
    return bad();
  }
  std::chrono::milliseconds total{ 0 };
  std::size_t at = 0;
  while (at < text.size()) {
    long long number = 0;
    const auto start = at;
    for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0; ++at) {
      if (number > 1000LL * 1000 * 1000) {
        return bad();
      }
      number = number * 10 + (text[at] - '0');
    }
    if (at == start) {
      return bad();
    }
    long long unit_ms = 0;
    if (text.substr(at, 2) == "ms") {
      unit_ms = 1;
      at += 2;
    } else if (at < text.size() && text[at] == 'h') {
      unit_ms = 3600 * 1000;
      ++at;
    } else if (at < text.size() && text[at] == 'm') {
      unit_ms = 60 * 1000;
      ++at;
    } else if (at < text.size() && text[at] == 's') {
      unit_ms = 1000;
      ++at;
    } else {
      return bad();
    }
    total += std::chrono::milliseconds(number * unit_ms);
  }
  return total;
}

} // namespace ocne::cli
