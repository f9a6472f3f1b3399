#include "pkg/image/digest.hpp"

#include "pkg/core/strings.hpp"

namespace ocne::image {

std::string
Digest::str() const
{
  return algorithm + ":" + hex;
}

std::string
Digest::brief() const
{
  return algorithm + ":" + hex.substr(0, 12);
}

Result<Digest>
parse_digest(std::string_view text)
{
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return make_error(ErrorKind::invalid_input, "invalid digest {}: expected sha256:<64 hex digits>", str::quote(text));
  }
  const auto algorithm = text.substr(0, colon);
  const auto hex = text.substr(colon + 1);
  if (algorithm != "sha256") {
    return make_error(ErrorKind::invalid_input,
                      "unsupported digest algorithm {} in {}: only sha256 is supported",
                      str::quote(algorithm),
                      str::quote(text));
  }
  const bool hex_ok = hex.size() == 64 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (!hex_ok) {
    return make_error(ErrorKind::invalid_input, "invalid digest {}: expected sha256:<64 hex digits>", str::quote(text));
  }
  return Digest{ std::string(algorithm), std::string(hex) };
}

Digest
sha256_of(std::string_view data)
{
  return Digest{ "sha256", sha256_hex(data) };
}

} // namespace ocne::image
