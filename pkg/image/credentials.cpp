#include "pkg/image/credentials.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace ocne::image {

namespace {

using nlohmann::json;

constexpr std::string_view k_b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// "https://index.docker.io/v1/" -> "docker.io"; "http://reg:5000" -> "reg:5000".
// Keys with a repository path ("reg/ns/repo") are kept as they are.
std::string
normalize_key(std::string_view key)
{
  std::string_view k = key;
  bool had_scheme = false;
  for (std::string_view scheme : { "https://", "http://" }) {
    if (str::starts_with(k, scheme)) {
      k.remove_prefix(scheme.size());
      had_scheme = true;
    }
  }
  if (had_scheme) {
    // A legacy key is a URL: only its host counts.
    k = k.substr(0, k.find('/'));
  }
  while (str::ends_with(k, "/")) {
    k.remove_suffix(1);
  }
  if (k == "index.docker.io" || k == "registry-1.docker.io") {
    return std::string(k_docker_hub);
  }
  return std::string(k);
}

// Keys to try for a reference, most specific first.
std::vector<std::string>
candidate_keys(const Reference& ref)
{
  std::vector<std::string> keys;
  std::string path = ref.name();
  while (true) {
    keys.push_back(path);
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) {
      break;
    }
    path.resize(slash);
  }
  return keys;
}

Result<std::optional<Credentials>>
credentials_from_entry(const json& entry, const fs::Path& file, const std::string& key)
{
  if (!entry.is_object()) {
    return std::optional<Credentials>();
  }
  Credentials c;
  c.source = file.string();
  if (const auto a = entry.find("auth"); a != entry.end() && a->is_string() && !a->get<std::string>().empty()) {
    // The decoded text holds the password: wipe it once it is in a Secret.
    Secret decoded(base64_decode(a->get<std::string>()).value_or(""));
    const auto colon = decoded.reveal().find(':');
    if (colon == std::string::npos) {
      return make_error(ErrorKind::invalid_input,
                        "{}: the \"auth\" value for {} is not base64 of user:password",
                        file.string(),
                        str::quote(key));
    }
    c.username = decoded.reveal().substr(0, colon);
    c.password = Secret(decoded.reveal().substr(colon + 1));
    return std::optional<Credentials>(std::move(c));
  }
  const auto u = entry.find("username");
  const auto p = entry.find("password");
  if (u != entry.end() && u->is_string() && p != entry.end() && p->is_string()) {
    c.username = u->get<std::string>();
    c.password = Secret(p->get<std::string>());
    return std::optional<Credentials>(std::move(c));
  }
  if (entry.contains("identitytoken")) {
    log::warn("{}: the identity token for {} is not supported; log in with a user name and password",
              file.string(),
              str::quote(key));
  }
  return std::optional<Credentials>();
}

Result<std::optional<Credentials>>
search_file(const fs::Path& file, const Reference& ref)
{
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return std::optional<Credentials>();
  }
  OCNE_TRY_ASSIGN(const auto text, fs::read_file(file, 16ULL << 20));
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    return make_error(ErrorKind::invalid_input, "{}: invalid JSON: {}", file.string(), e.what());
  }
  if (!j.is_object()) {
    return make_error(ErrorKind::invalid_input, "{}: expected a JSON object", file.string());
  }
  // ~/.dockercfg has the entries at the top level.
  const json* auths = &j;
  if (const auto a = j.find("auths"); a != j.end()) {
    auths = &*a;
  } else if (file.filename() != ".dockercfg") {
    auths = nullptr;
  }
  if (auths != nullptr && auths->is_object()) {
    for (const auto& want : candidate_keys(ref)) {
      for (const auto& [key, entry] : auths->items()) {
        if (normalize_key(key) == want) {
          OCNE_TRY_ASSIGN(auto c, credentials_from_entry(entry, file, key));
          if (c) {
            log::debug("registry credentials for {} from {} (key {})", ref.name(), file.string(), key);
            return c;
          }
        }
      }
    }
  }
  for (const char* helpers : { "credHelpers", "credsStore" }) {
    if (j.contains(helpers)) {
      log::debug("{}: {} is set; ocne does not run credential helpers", file.string(), helpers);
    }
  }
  return std::optional<Credentials>();
}

} // namespace

std::vector<fs::Path>
default_auth_files(const Environment& env)
{
  std::vector<fs::Path> files;
  if (auto f = env.get_nonempty("REGISTRY_AUTH_FILE")) {
    files.push_back(fs::resolve_path(*f, env.cwd(), env.home()));
  } else if (auto run = env.get_nonempty("XDG_RUNTIME_DIR")) {
    files.push_back(fs::Path(*run) / "containers" / "auth.json");
  }
  if (auto cfg = env.get_nonempty("XDG_CONFIG_HOME")) {
    files.push_back(fs::Path(*cfg) / "containers" / "auth.json");
  } else {
    files.push_back(env.home() / ".config" / "containers" / "auth.json");
  }
  if (auto docker = env.get_nonempty("DOCKER_CONFIG")) {
    files.push_back(fs::resolve_path(*docker, env.cwd(), env.home()) / "config.json");
  } else {
    files.push_back(env.home() / ".docker" / "config.json");
  }
  files.push_back(env.home() / ".dockercfg");
  return files;
}

Result<std::optional<Credentials>>
find_credentials(const std::vector<fs::Path>& files, const Reference& ref)
{
  for (const auto& file : files) {
    OCNE_TRY_ASSIGN(auto c, search_file(file, ref));
    if (c) {
      return c;
    }
  }
  return std::optional<Credentials>();
}

std::optional<std::string>
base64_decode(std::string_view text)
{
  std::array<int, 256> value{};
  value.fill(-1);
  for (std::size_t i = 0; i < k_b64.size(); ++i) {
    value[static_cast<unsigned char>(k_b64[i])] = static_cast<int>(i);
  }
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned bits = 0;
  int count = 0;
  for (const char c : text) {
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

std::string
base64_encode(std::string_view data)
{
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out += k_b64[(n >> 18) & 63];
    out += k_b64[(n >> 12) & 63];
    out += k_b64[(n >> 6) & 63];
    out += k_b64[n & 63];
  }
  if (i + 1 == data.size()) {
    const unsigned n = static_cast<unsigned char>(data[i]) << 16;
    out += k_b64[(n >> 18) & 63];
    out += k_b64[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    const unsigned n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += k_b64[(n >> 18) & 63];
    out += k_b64[(n >> 12) & 63];
    out += k_b64[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

} // namespace ocne::image
