#pragma once

// `ocne image upload`: flags as in Oracle's ocne, dispatched by --type.

#include "cmd/ocne/context.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/image/image_claims.hpp"

#include <set>
#include <string>

namespace ocne::cli {

struct ImageUploadOptions
{
  std::string config_file;
  std::string type = "oci";
  std::string bucket;      // given -> overrides providers.oci.imageBucket
  std::string compartment; // given -> overrides providers.oci.compartment
  std::string file;
  std::string image_name; // default: ock (oci), providers.oxide.imageName (oxide)
  std::string arch;
  std::string version = "1.33";
  std::string destination;
  std::string profile; // given -> overrides providers.oci.profile / providers.oxide.profile
  std::string project; // oxide: overrides providers.oxide.project
  // Long names of the flags that were given on the command line.
  std::set<std::string> given;

  bool
  was_given(const std::string& flag) const
  {
    return given.count(flag) != 0;
  }
};

// What to upload file as: --arch and --version, checked against and
// completed from the record ocne keeps beside images it built
// (<file>.ocne.json). Throws when they contradict it.
image::ImageClaims upload_claims(const ImageUploadOptions& options, const fs::Path& file);

// image_upload_oci.cpp
void upload_oci(const ImageUploadOptions& options, Context& ctx);
// image_upload_oxide.cpp
void upload_oxide(const ImageUploadOptions& options, Context& ctx);

} // namespace ocne::cli
