#include "pkg/clusterctl/repository.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/core/sha256.hpp"
#include "pkg/core/state_dir.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/http/transport.hpp"
#include "pkg/http/url.hpp"

#include <fmt/format.h>

#include <chrono>
#include <regex>
#include <system_error>

namespace ocne::clusterctl {

namespace sfs = std::filesystem;

namespace {

constexpr std::string_view k_github = "https://github.com";

bool
is_url(std::string_view s)
{
  return s.starts_with("http://") || s.starts_with("https://");
}

std::optional<std::string>
read_if_exists(const sfs::path& path)
{
  std::error_code ec;
  if (!sfs::is_regular_file(path, ec)) {
    return std::nullopt;
  }
  auto text = fs::read_file(path);
  if (!text) {
    return std::nullopt;
  }
  return std::move(*text);
}

// A clusterctl provider URL as a folder (URL or path) plus the version it
// pins, if any: .../releases/download/<tag>/<file>, .../releases/latest/<file>,
// {base}/{label}/{version|latest}/{file}.
struct PinnedLocation
{
  std::string folder; // the release folder for the resolved version
  std::string version;
};

PinnedLocation
locate(const std::string& url, const Component& component)
{
  static const std::regex release(R"(^(.*)/releases/(?:download/([^/]+)|latest(?:/download)?)/[^/]+$)");
  std::smatch m;
  if (is_url(url) && std::regex_match(url, m, release)) {
    const std::string version = m[2].matched ? m[2].str() : component.version;
    return { m[1].str() + "/releases/download/" + version, version };
  }
  std::string path = url;
  if (path.starts_with("file://")) {
    path = path.substr(7);
  }
  if (is_url(path)) {
    const auto slash = path.rfind('/');
    return { path.substr(0, slash), component.version };
  }
  const sfs::path file(path);
  const sfs::path version_dir = file.parent_path();
  const std::string named = version_dir.filename().string();
  if (named == "latest") {
    return { (version_dir.parent_path() / component.version).string(), component.version };
  }
  if (!named.empty() && named[0] == 'v' && named.size() > 1 && std::isdigit(static_cast<unsigned char>(named[1]))) {
    return { version_dir.string(), named };
  }
  return { version_dir.string(), component.version };
}

} // namespace

struct ComponentSource::Impl
{
  SourceSettings settings;
  ProgressSink& progress;
  std::unique_ptr<http::Transport> transport;
  std::string github; // https://github.com or its mirror
  Secret token;

  Impl(SourceSettings s, ProgressSink& p) : settings(std::move(s)), progress(p)
  {
    http::TransportOptions options;
    options.log_name = "components";
    options.tls.ca_file = settings.env.get_or("OCNE_COMPONENTS_CA_BUNDLE", "");
    options.retry.max_attempts = std::max(1, settings.max_attempts);
    options.retry.initial_backoff = std::chrono::milliseconds(200);
    options.retry.max_retry_after = std::chrono::seconds(10);
    transport = std::make_unique<http::Transport>(options);
    github = settings.env.get_or("OCNE_GITHUB_URL", k_github);
    while (github.ends_with('/')) {
      github.pop_back();
    }
    if (auto t = settings.env.get_nonempty("GITHUB_TOKEN")) {
      token = Secret(std::move(*t));
    }
  }

  sfs::path
  overrides() const
  {
    if (!settings.clusterctl.overrides_folder.empty()) {
      return fs::expand_user(settings.clusterctl.overrides_folder, settings.env.home());
    }
    return clusterctl_config_dir(settings.env) / "overrides";
  }

  std::string
  release(const Component& c) const
  {
    std::string url = c.release_url;
    if (url.starts_with(k_github)) {
      url = github + url.substr(k_github.size());
    }
    return url;
  }

  bool
  to_github(const std::string& url) const
  {
    return url.starts_with(github + "/") || url.starts_with("https://api.github.com/");
  }

  // One download with progress; retried when the body breaks off.
  Result<std::string>
  download(const std::string& url, const Component& c, std::string_view file) const
  {
    RetryOptions again{ .attempts = std::max(1, settings.max_attempts), .delay = std::chrono::milliseconds(200) };
    again.before_retry = [&](const Error& e, int) {
      log::debug("download of {} failed ({}), trying again", url, e.message());
    };
    // 404 and friends, a refused token and Ctrl-C: another try changes nothing.
    const auto retryable = [](const Error& e) {
      return e.kind() != ErrorKind::not_found && e.kind() != ErrorKind::cancelled && e.kind() != ErrorKind::auth;
    };
    return retry(again, retryable, [&](int) -> Result<std::string> {
      ProgressTask task(progress, fmt::format("Downloading {} {} {}", c.label, c.version, file));
      std::string body;
      http::Request request;
      request.url = url;
      request.follow_redirects = true;
      if (!token.empty() && to_github(url)) {
        request.headers.set("Authorization", "Bearer " + token.reveal());
      }
      request.on_headers = [&](long status, const http::Headers& headers) {
        if (status >= 200 && status < 300) {
          if (const auto length = headers.get("content-length")) {
            task.set_total(std::strtoull(length->c_str(), nullptr, 10));
          }
        }
      };
      request.on_body = [&](std::string_view chunk) {
        body.append(chunk);
        task.advance(chunk.size());
        return true;
      };
      auto response = transport->send(std::move(request));
      if (response && response->ok()) {
        task.succeed();
        return body;
      }
      const Error failed = response ? Error(response->status >= 500 || response->status == 429 ? ErrorKind::transient
                                                                                               : ErrorKind::not_found,
                                            fmt::format("HTTP {}", response->status))
                                    : response.error();
      task.fail(failed.message());
      return make_error(failed);
    });
  }

  sfs::path
  cache_path(const Component& c, std::string_view file) const
  {
    return settings.cache_dir / c.label / c.version / std::string(file);
  }

  Result<std::optional<FetchedFile>>
  from_cache(const Component& c, std::string_view file) const
  {
    const auto path = cache_path(c, file);
    auto text = read_if_exists(path);
    if (!text) {
      return std::optional<FetchedFile>();
    }
    sfs::path sum_path = path;
    sum_path += ".sha256";
    const auto recorded = read_if_exists(sum_path);
    const std::string actual = sha256_hex(*text);
    if (!recorded || std::string(str::trim(*recorded)) != actual) {
      return make_error(ErrorKind::invalid_input,
                        "cached file {} does not match the SHA-256 recorded when it was downloaded ({}); "
                        "delete it to download it again",
                        path.string(),
                        recorded ? std::string(str::trim(*recorded)) : std::string("no .sha256 beside it"));
    }
    return std::optional<FetchedFile>(FetchedFile{ std::move(*text), "cache " + path.string() });
  }

  Status
  store(const Component& c, std::string_view file, const std::string& text) const
  {
    const auto path = cache_path(c, file);
    OCNE_TRY(fs::ensure_dir(path.parent_path()));
    sfs::path sum_path = path;
    sum_path += ".sha256";
    // The sum first: a file without its sum is refused, never trusted.
    OCNE_TRY(fs::write_file_atomic(sum_path, sha256_hex(text) + "\n"));
    return fs::write_file_atomic(path, text);
  }

  Result<FetchedFile>
  fetch_url(const std::string& url, const Component& c, std::string_view file) const
  {
    auto body = download(url, c, file);
    if (!body) {
      return make_error(body.error().kind() == ErrorKind::cancelled ? ErrorKind::cancelled : ErrorKind::unavailable,
                        "cannot download {} of {} {} from {}: {}; without network access, put the file at {} "
                        "(or in the folder the providerComponents setting names)",
                        file,
                        c.label,
                        c.version,
                        url,
                        body.error().message(),
                        (overrides() / c.label / c.version / std::string(file)).string());
    }
    OCNE_TRY(store(c, file, *body));
    log::debug("downloaded {} ({} bytes), cached at {}", url, body->size(), cache_path(c, file).string());
    return FetchedFile{ std::move(*body), url };
  }

  Result<std::optional<FetchedFile>>
  from_folder_or_url(const std::string& base, const Component& c, std::string_view file, std::string_view what) const
  {
    if (is_url(base)) {
      if (auto cached = from_cache(c, file); !cached || *cached) {
        return cached;
      }
      OCNE_TRY_ASSIGN(auto fetched, fetch_url(http::join_url(base, std::string(file)), c, file));
      return std::optional<FetchedFile>(std::move(fetched));
    }
    const sfs::path path = sfs::path(base) / std::string(file);
    if (auto text = read_if_exists(path)) {
      return std::optional<FetchedFile>(FetchedFile{ std::move(*text), fmt::format("{} {}", what, path.string()) });
    }
    return std::optional<FetchedFile>();
  }
};

ComponentSource::ComponentSource(SourceSettings settings, ProgressSink& progress)
  : m_impl(std::make_unique<Impl>(std::move(settings), progress))
{
}

ComponentSource::~ComponentSource() = default;

Component
ComponentSource::resolve(const Component& component) const
{
  Component out = component;
  if (const auto p = m_impl->settings.clusterctl.provider_for(component)) {
    out.version = locate(p->url, component).version;
  } else if (component.type == ProviderType::cert_manager &&
             !m_impl->settings.clusterctl.cert_manager_version.empty()) {
    out.version = m_impl->settings.clusterctl.cert_manager_version;
  }
  if (out.version != component.version) {
    // The release folder follows the version (".../download/<tag>").
    const auto pos = out.release_url.rfind(component.version);
    if (pos != std::string::npos) {
      out.release_url.replace(pos, component.version.size(), out.version);
    }
    for (auto& image : out.images) {
      if (image.tag == component.version) {
        image.tag = out.version;
      }
    }
  }
  return out;
}

Result<FetchedFile>
ComponentSource::fetch(const Component& c, std::string_view file) const
{
  const auto& s = m_impl->settings;
  // 1. clusterctl's overrides folder.
  const sfs::path override_path = m_impl->overrides() / c.label / c.version / std::string(file);
  if (auto text = read_if_exists(override_path)) {
    return FetchedFile{ std::move(*text), "overrides folder " + override_path.string() };
  }
  // 2. ocne's setting, then clusterctl.yaml's provider URL.
  if (!s.configured.empty()) {
    const std::string base =
      is_url(s.configured) ? http::join_url(s.configured, c.label + "/" + c.version)
                           : (sfs::path(fs::expand_user(s.configured, s.env.home())) / c.label / c.version).string();
    OCNE_TRY_ASSIGN(auto found, m_impl->from_folder_or_url(base, c, file, "providerComponents folder"));
    if (found) {
      return std::move(*found);
    }
  }
  if (const auto p = s.clusterctl.provider_for(c)) {
    const auto where = locate(p->url, c);
    OCNE_TRY_ASSIGN(auto found, m_impl->from_folder_or_url(where.folder, c, file, "clusterctl.yaml provider folder"));
    if (found) {
      return std::move(*found);
    }
  }
  // 3. the cache, 4. the release.
  OCNE_TRY_ASSIGN(auto cached, m_impl->from_cache(c, file));
  if (cached) {
    return std::move(*cached);
  }
  return m_impl->fetch_url(http::join_url(m_impl->release(c), std::string(file)), c, file);
}

Result<SourceSettings>
source_settings(std::string_view provider_components, const Environment& env)
{
  SourceSettings s;
  s.env = env;
  s.configured = std::string(provider_components);
  s.cache_dir = StateDir::from_env(env).root() / "providers";
  OCNE_TRY_ASSIGN(s.clusterctl, load_clusterctl_config(env));
  return s;
}

const ClusterctlConfig&
ComponentSource::clusterctl() const
{
  return m_impl->settings.clusterctl;
}

sfs::path
ComponentSource::overrides_folder() const
{
  return m_impl->overrides();
}

std::string
ComponentSource::release_url(const Component& component) const
{
  return m_impl->release(component);
}

} // namespace ocne::clusterctl
