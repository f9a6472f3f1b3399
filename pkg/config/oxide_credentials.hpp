#pragma once

// Oxide credentials: a silo API host and a token, found the way the official
// oxide CLI finds them, with ocne's config on top. In order:
//
//  1. a profile named by the caller (providers.oxide.profile or a flag):
//     its host and token from credentials.toml;
//  2. OXIDE_TOKEN, with the host from the caller (providers.oxide.host) or
//     OXIDE_HOST;
//  3. credentials.toml: the profile whose host equals the caller's host or
//     OXIDE_HOST, else OXIDE_PROFILE, else config.toml's default-profile.
//
// Files live in ~/.config/oxide (credentials.toml, config.toml). The token is
// never a config key. A profile's token is never sent to another host: a
// host setting that disagrees with the named profile's host is an error.

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ocne::config {

struct OxideCredentialRequest
{
  std::string host;    // from config or flag; "" when unset
  std::string profile; // from config or flag; "" when unset
  // How the two are named in messages ("providers.oxide.host", "--host", ...).
  std::string host_subject = "providers.oxide.host";
  std::string profile_subject = "providers.oxide.profile";
};

struct OxideCredentials
{
  std::string host; // normalised: scheme added, no trailing '/'
  Secret token;
  std::string source; // e.g. "profile 'lab' in ~/.config/oxide/credentials.toml"
  std::vector<std::string> warnings;
};

std::filesystem::path oxide_config_dir(const Environment& env);

// One profile of credentials.toml.
struct OxideProfile
{
  std::string host; // normalised
  Secret token;
  int line = 0;
};

// Parses the text of a credentials.toml: "[profile.<name>]" tables with host
// and token strings. Errors name display_name and the line.
Result<std::map<std::string, OxideProfile>> parse_oxide_credentials(std::string_view text,
                                                                    const std::string& display_name);

// "rack.example.com" -> "https://rack.example.com"; trailing '/' removed.
std::string normalize_oxide_host(std::string_view host);

Result<OxideCredentials> resolve_oxide_credentials(const Environment& env, const OxideCredentialRequest& request);

} // namespace ocne::config
