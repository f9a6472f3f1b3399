#pragma once

// The platform of the image a source picked, checked against the
// architecture asked for (--arch) before anything is written: the index
// entry that led to it and the image config each say which platform it is
// for, and both must agree with the request and with each other. An image
// that says nothing about its platform is refused too: the cache and every
// upload name the architecture, so it must be known, not assumed.

#include "pkg/core/error.hpp"
#include "pkg/image/arch.hpp"
#include "pkg/image/manifest.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ocne::image {

// The os, architecture and variant an image config records (each "" when
// absent). what names the image in errors.
Result<Platform> config_platform(std::string_view config_json, std::string_view what);

// Checks the index entry's platform (nullopt when the image was not reached
// through an entry with one) and the config's against linux/<arch>. Returns
// the platform the image is for ("linux/arm64/v8"); errors name what the
// image says and what was asked for.
Result<std::string> check_platform(const std::optional<Platform>& entry,
                                   const Platform& config,
                                   Arch arch,
                                   std::string_view what);

// Whether a recorded platform ("linux/amd64", "linux/arm64/v8") is linux/<arch>.
bool platform_is(std::string_view platform, Arch arch);

} // namespace ocne::image
