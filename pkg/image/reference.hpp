#pragma once

// Container image references as Docker and containers/image write them:
//   container-registry.oracle.com/olcne/ock:1.33
//   docker://container-registry.oracle.com/olcne/ock:1.33
//   127.0.0.1:5000/olcne/ock@sha256:<hex>
//   busybox                      -> docker.io/library/busybox:latest
// A reference with both a tag and a digest ("name:tag@sha256:...") is
// accepted; the digest decides what is pulled and the tag is only shown.

#include "pkg/core/error.hpp"
#include "pkg/image/digest.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ocne::image {

inline constexpr std::string_view k_docker_hub = "docker.io";

struct Reference
{
  std::string registry;   // "container-registry.oracle.com", "127.0.0.1:5000", "docker.io"
  std::string repository; // "olcne/ock", "library/busybox"
  std::string tag;        // empty when only a digest was given
  std::optional<Digest> digest;

  // registry/repository[:tag][@digest]
  std::string str() const;
  // registry/repository
  std::string name() const;
  // What to ask the registry's manifest endpoint for: the digest, else the tag.
  std::string manifest_ref() const;
  // The host (and port) the registry API is served on: docker.io is
  // registry-1.docker.io, every other registry is its own name.
  std::string api_host() const;

  bool operator==(const Reference&) const = default;
};

// Parses a reference, with or without the "docker://" transport prefix. A
// reference without tag or digest gets the tag "latest". Errors read
// "invalid image reference '<text>': <why>".
Result<Reference> parse_reference(std::string_view text);

// Whether text is a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}).
bool valid_tag(std::string_view text);

} // namespace ocne::image
