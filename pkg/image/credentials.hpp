#pragma once

// Registry credentials from the files skopeo, podman and docker write
// (containers-auth.json(5)): "auths" maps a registry, or a registry/namespace,
// to {"auth": base64("user:password")} or {"username", "password"}.
//
// Files are searched in this order and the first match wins:
//   $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json;
//   ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json;
//   ${DOCKER_CONFIG:-~/.docker}/config.json;
//   ~/.dockercfg (the legacy format without "auths").
// Within a file the most specific key wins (registry/ns/repo, registry/ns,
// registry). Credential helpers (credHelpers, credsStore) are not run.

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/image/reference.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ocne::image {

struct Credentials
{
  std::string username;
  Secret password;
  // Where they came from ("/home/u/.docker/config.json"), for messages.
  std::string source;
};

// The auth files to search, in order (files that do not exist are skipped).
std::vector<fs::Path> default_auth_files(const Environment& env);

// Credentials for the reference's registry and repository, or nullopt.
// Fails when a file exists but cannot be read or parsed, naming the file.
Result<std::optional<Credentials>> find_credentials(const std::vector<fs::Path>& files, const Reference& ref);

// Standard base64 (padding optional); nullopt on invalid input.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view data);

} // namespace ocne::image
