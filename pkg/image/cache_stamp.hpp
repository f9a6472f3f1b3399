#pragma once

// What a cached image was made from, in a small JSON file beside it
// ("<file>.ocne.json"): the source and manifest digest of a pulled boot disk,
// plus, for a converted image, its type, platform id, kernel arguments and
// the boot disk it was built from. A stamp is written after its file, and
// removed before the file is replaced, so a stamp never describes a file it
// was not written for.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace ocne::image {

struct CacheStamp
{
  std::string source;          // "container-registry.oracle.com/olcne/ock:1.33"
  std::string manifest_digest; // of the pulled image (the cache key)
  std::string layer_digest;
  std::string platform;   // "linux/amd64", as the image says (checked against --arch)
  std::string version;    // the Kubernetes version it was cached as ("1.33"); "" in older stamps
  std::uint64_t size = 0; // of the file, checked on use
  std::string created;    // RFC 3339
  // Converted images only.
  std::string type; // "oci", "oxide", "libvirt"
  std::string platform_id;
  std::string kernel_args;
  int recipe = 0;                           // version of the conversion steps
  std::map<std::string, std::string> uuids; // old -> new file system UUIDs
};

fs::Path stamp_path(const fs::Path& file);
// The stamp of file, or nullopt when it is missing or unreadable.
std::optional<CacheStamp> read_stamp(const fs::Path& file);
Status write_stamp(const fs::Path& file, const CacheStamp& stamp);
Status remove_stamp(const fs::Path& file);
// Whether file exists with the size its stamp records.
bool stamp_matches_file(const fs::Path& file, const CacheStamp& stamp);
// Now, in RFC 3339 (UTC).
std::string now_rfc3339();

} // namespace ocne::image
