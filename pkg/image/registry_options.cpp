#include "pkg/core/strings.hpp"
#include "pkg/image/registry_client.hpp"

namespace ocne::image {

RegistryOptions
registry_options_from_env(const Environment& env)
{
  RegistryOptions o;
  o.auth_files = default_auth_files(env);
  if (auto insecure = env.get_nonempty("OCNE_INSECURE_REGISTRIES")) {
    o.plain_http = str::split_trimmed(*insecure, ',');
  }
  return o;
}

} // namespace ocne::image
