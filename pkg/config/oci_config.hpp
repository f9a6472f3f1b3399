#pragma once

// ~/.oci/config: the OCI SDKs' and CLI's INI file of profiles.
//
// Which file: OCI_CLI_CONFIG_FILE, else OCI_CONFIG_FILE, else ~/.oci/config
// (an explicit path given by the caller wins over all three).
// Which profile: the one the caller names (flag or config), else
// OCI_CLI_PROFILE, else DEFAULT.
// Parsing follows Python configparser (what the OCI CLI uses): '=' or ':'
// separators, case-insensitive keys, whole-line '#'/';' comments, indented
// continuation lines, and per-key inheritance from [DEFAULT].

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocne::config {

struct IniValue
{
  std::string value;
  int line = 0;
};

struct IniFile
{
  // Section name -> lower-cased key -> value. "DEFAULT" is a section like
  // the others here; lookups fall back to it.
  std::map<std::string, std::map<std::string, IniValue>> sections;
  std::vector<std::string> order; // section names in file order
};

Result<IniFile> parse_ini(std::string_view text, const std::string& display_name);

struct OciProfile
{
  std::filesystem::path file;
  std::string display_file; // as shown in messages
  std::string profile;
  std::string user;
  std::string fingerprint;
  std::string tenancy;
  std::string region;
  std::filesystem::path key_file; // "~" expanded
  Secret pass_phrase;
  std::filesystem::path security_token_file;
  std::map<std::string, int> lines; // key -> line it was read from

  // "<file>:<line>" of a key, for messages.
  std::string where(const std::string& key) const;
};

struct OciConfigRequest
{
  std::optional<std::string> file;    // explicit path (wins over the environment)
  std::optional<std::string> profile; // explicit profile (wins over OCI_CLI_PROFILE)
};

std::filesystem::path oci_config_path(const Environment& env, const std::optional<std::string>& explicit_file);

// Reads the file and resolves one profile, checking that the keys an API key
// (or session token) needs are there and well formed.
Result<OciProfile> load_oci_profile(const Environment& env, const OciConfigRequest& request);

// Reads a PEM private key file, refusing one that group or others may read.
Result<Secret> read_private_key_file(const std::filesystem::path& path);
// Reads the session token of a profile with security_token_file.
Result<Secret> read_security_token(const OciProfile& profile);

} // namespace ocne::config
