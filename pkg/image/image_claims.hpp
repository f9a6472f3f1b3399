#pragma once

// What an image says about itself against what the user says about it. The
// image's own record wins where the user is silent; where they contradict
// each other, the command stops before anything is cached or uploaded under
// the wrong name (the same class of bug as an OS uploaded under another
// version's tag).

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ocne::image {

// The Kubernetes minor version a tag names ("1.33", "v1.33", "1.33.2" give
// "1.33"), or "" when the tag is not a version ("latest", "1.33-amd64").
std::string tag_version(std::string_view tag);

// Refuses a source whose tag names another Kubernetes version than the one
// its boot disk would be cached (and later uploaded) as. Tags that are not
// versions say nothing and pass.
Status check_tag_version(std::string_view tag, std::string_view version, std::string_view what);

struct ImageClaims
{
  std::string arch;    // "amd64", "arm64"; "" when not given
  std::string version; // "1.33"; "" when not given
};

// Reconciles the --arch and --version given for an image file with what
// ocne recorded when it built the file (its stamp: platform and version;
// recorded_platform "" when unknown). Returns the claims to upload under.
Result<ImageClaims> reconcile_claims(const ImageClaims& given,
                                     std::string_view recorded_platform,
                                     std::string_view recorded_version,
                                     std::string_view file);

// What to upload file as: the given --arch and --version, checked against
// and completed from the record ocne keeps beside images it built
// (<file>.ocne.json); logs what the record added.
Result<ImageClaims> claims_for_upload(const ImageClaims& given, const fs::Path& file);

} // namespace ocne::image
