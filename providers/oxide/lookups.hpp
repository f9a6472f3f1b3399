#pragma once

// What an Oxide template needs from the cloud: the boot image's UUID (a
// UUID as it is, a name looked up in the project). What cannot be found is
// a ${NAME} placeholder, with the reason. `cluster template` works offline:
// without credentials the live lookups answer "unknown" and say why.

#include "pkg/cluster_templates/resolver.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::providers::oxide {

// A refused token or a project that does not exist is an error; "cannot
// look it up here" and "nothing matches" are Lookups without a value.
class Lookups
{
public:
  virtual ~Lookups() = default;

  // The UUID of the image with this name in the project (or the silo).
  virtual Result<cluster_templates::Lookup> find_image(std::string_view project, std::string_view name) = 0;
};

struct LiveLookupOptions
{
  std::string host;    // providers.oxide.host
  std::string profile; // providers.oxide.profile
  // How the config names them in messages ("providers.oxide.host" or
  // "capi.yaml: providers.oxide.host").
  std::string host_subject;
  std::string profile_subject;
};

// Asks the rack when credentials are there and says why not otherwise. The
// credentials are only read when a lookup is actually needed.
std::unique_ptr<Lookups> make_live_lookups(const Environment& env, LiveLookupOptions options);

// A value for a template variable, or its placeholder and why.
struct Resolved
{
  std::string value;
  std::vector<std::string> notes;
  bool found = false; // looked up in the cloud (not configured)
};

// providers.oxide.images.amd64, else providers.oxide.imageName.
Result<Resolved> resolve_image(const config::ClusterConfig& c, Lookups& lookups);

} // namespace ocne::providers::oxide
