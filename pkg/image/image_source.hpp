#pragma once

// Where a boot image comes from: a registry, or a file for air-gapped use.
//
//   docker://REGISTRY/REPO:TAG, REGISTRY/REPO:TAG   a registry (pull)
//   oci:DIR[:TAG]                                   an OCI image layout directory
//   oci-archive:FILE[:TAG]                          an OCI image layout in a tar
//   docker-archive:FILE[:NAME:TAG]                  a "docker save" tarball
//   DIR or FILE                                     one of the three above, detected
//
// A source resolves to the manifest of one architecture and hands out its
// layers as byte streams that are checked against their digests.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/image/arch.hpp"
#include "pkg/image/byte_source.hpp"
#include "pkg/image/manifest.hpp"
#include "pkg/image/registry_client.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::image {

struct ResolvedImage
{
  // The platform manifest's digest: what the cache is keyed by. (For a
  // docker-archive, which has no manifest digest, the config's digest.)
  Digest manifest_digest;
  std::string platform;           // "linux/amd64"
  std::vector<Descriptor> layers; // bottom first
};

class ImageSource
{
public:
  virtual ~ImageSource() = default;
  // The source as shown to users and recorded in the cache
  // ("container-registry.oracle.com/olcne/ock:1.33", "oci:/abs/dir:1.33").
  virtual std::string name() const = 0;
  // The tag the source names ("1.33"; "" when it names none), checked
  // against the version the disk is cached as.
  virtual std::string tag() const = 0;
  // Whether resolve() goes to the network.
  virtual bool remote() const = 0;
  // The image for linux/<arch>.
  virtual Result<ResolvedImage> resolve(Arch arch) = 0;
  // Hands the layer's raw (compressed) bytes to consume. When this returns
  // success the bytes consume read were checked against the layer's digest.
  virtual Status read_layer(const Descriptor& layer,
                            ProgressSink& progress,
                            const std::function<Status(ByteSource&)>& consume) = 0;
};

struct SourceOptions
{
  RegistryOptions registry;
  // Where registry blobs are downloaded (<images dir>/blobs).
  fs::Path blob_dir;
  // Keep downloaded layer blobs after they were read (default: delete them,
  // the extracted boot disk is what is cached).
  bool keep_blobs = false;
  // Relative file paths are resolved against cwd; "~" against home.
  fs::Path cwd;
  fs::Path home;
};

// Opens the source a --source value or a configured image names. Errors name
// the value: "invalid image reference '...': ...", "oci:/x: no such file".
Result<std::unique_ptr<ImageSource>> open_source(std::string_view spec, const SourceOptions& options);

// Sources by kind (open_source picks one of these).
std::unique_ptr<ImageSource> registry_source(Reference ref, const SourceOptions& options);
Result<std::unique_ptr<ImageSource>> oci_layout_source(const fs::Path& dir, std::string tag);
Result<std::unique_ptr<ImageSource>> oci_archive_source(const fs::Path& file, std::string tag);
Result<std::unique_ptr<ImageSource>> docker_archive_source(const fs::Path& file, std::string ref);

} // namespace ocne::image
