#pragma once

// The answer of a lookup a template needs from a cloud (a compartment's id,
// an image's id): the value, or why there is none. `ocne cluster template`
// works offline: a lookup that cannot run answers "unknown" with a reason,
// and the template gets a placeholder instead. The lookups themselves are
// the clouds' (providers/<cloud>/lookups.hpp).

#include "pkg/core/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ocne::cluster_templates {

// A value found, or why it could not be looked up.
struct Lookup
{
  std::optional<std::string> value;
  std::string reason; // when there is no value: "no OCI credentials", ...

  static Lookup
  found(std::string v)
  {
    return Lookup{ std::move(v), {} };
  }
  static Lookup
  unknown(std::string why)
  {
    return Lookup{ std::nullopt, std::move(why) };
  }
};

} // namespace ocne::cluster_templates
