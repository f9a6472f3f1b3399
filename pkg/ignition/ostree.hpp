#pragma once

// The osRegistry setting: an ostree container reference such as
// "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree",
// split into the transport part and the image, as /etc/ocne/update.yaml
// wants them. A reference without a known ostree prefix is taken as a plain
// registry image (ocne normalises it the same way).

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>

namespace ocne::ignition {

struct OstreeReference
{
  std::string transport; // "ostree-unverified-registry", "ostree-remote-image:fedora:docker://", ...
  std::string image;     // "container-registry.oracle.com/olcne/ock-ostree"
};

// Errors: an image with a tag or digest (the tag comes from osTag).
Result<OstreeReference> parse_ostree_reference(std::string_view reference);

} // namespace ocne::ignition
