#pragma once

// OCI and Docker v2 manifests and indexes (manifest lists), parsed into
// plain structs, and the choice of one platform from an index.

#include "pkg/core/error.hpp"
#include "pkg/image/arch.hpp"
#include "pkg/image/digest.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ocne::image {

namespace media_type {
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view oci_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view docker_layer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
} // namespace media_type

// The Accept header for manifest requests. Registries match it exactly, so
// it names all four types (an OCI index is a 404 without its type).
std::string manifest_accept_header();

// Whether a layer of this media type is a (possibly compressed) tar that
// libarchive can read.
bool is_tar_layer(std::string_view media_type);

struct Platform
{
  std::string os;
  std::string architecture;
  std::string variant;

  // "linux/arm64" or "linux/arm64/v8".
  std::string str() const;
};

struct Descriptor
{
  std::string media_type;
  Digest digest;
  std::uint64_t size = 0;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
};

struct Index
{
  std::string media_type;
  std::vector<Descriptor> manifests;
};

struct Manifest
{
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

using AnyManifest = std::variant<Index, Manifest>;

// Parses a manifest or an index. content_type is the Content-Type the body
// came with (may be empty); the body's own mediaType field, then its shape,
// decide when it is missing or generic. what names the object in errors.
Result<AnyManifest> parse_manifest(std::string_view body, std::string_view content_type, std::string_view what);

// The descriptor of the linux/<arch> image in an index (arm64 also matches
// variant v8). not_found when the index has none; the error lists what it has.
Result<Descriptor> select_platform(const Index& index, Arch arch, std::string_view what);

} // namespace ocne::image
