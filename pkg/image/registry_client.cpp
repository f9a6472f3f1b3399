#include "pkg/image/registry_client.hpp"

#include "pkg/core/clock.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/http/url.hpp"
#include "pkg/image/challenge.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>

namespace ocne::image {

namespace {

using nlohmann::json;

constexpr std::uint64_t k_max_manifest = 4 << 20;
constexpr int k_max_redirects = 5;

bool
is_loopback(std::string_view registry)
{
  std::string_view host = registry;
  if (str::starts_with(host, "[")) {
    host = host.substr(1, host.find(']') - 1);
    return host == "::1";
  }
  host = host.substr(0, host.rfind(':'));
  return host == "localhost" || str::starts_with(host, "127.");
}

// "MANIFEST_UNKNOWN: manifest unknown" from a registry error body, or "".
std::string
registry_error_detail(std::string_view body)
{
  try {
    const auto j = json::parse(body);
    const auto errors = j.find("errors");
    if (errors != j.end() && errors->is_array() && !errors->empty()) {
      const auto& e = errors->front();
      std::string code = e.value("code", "");
      std::string message = e.value("message", "");
      if (!code.empty() || !message.empty()) {
        return code.empty() ? message : code + ": " + message;
      }
    }
  } catch (const json::exception&) {
  }
  return {};
}

std::string
status_detail(const http::Response& r)
{
  auto detail = registry_error_detail(r.body);
  return detail.empty() ? fmt::format("{}", r.status) : fmt::format("{} ({})", r.status, detail);
}

// Resolves a redirect target against the URL it came from.
std::string
resolve_location(const std::string& from, const std::string& location)
{
  if (location.find("://") != std::string::npos) {
    return location;
  }
  auto base = http::parse_url(from);
  if (!base) {
    return location;
  }
  const std::string origin = base->scheme + "://" +
                             (base->host.find(':') != std::string::npos ? "[" + base->host + "]" : base->host) +
                             (base->port != 0 ? ":" + std::to_string(base->port) : "");
  if (str::starts_with(location, "/")) {
    return origin + location;
  }
  const auto dir = base->path.substr(0, base->path.rfind('/') + 1);
  return origin + dir + location;
}

// The start offset of a "bytes start-end/total" Content-Range, or nullopt.
std::optional<std::uint64_t>
content_range_start(const http::Headers& headers)
{
  const auto value = headers.get("Content-Range");
  if (!value || !str::starts_with(*value, "bytes ")) {
    return std::nullopt;
  }
  const auto dash = value->find('-');
  if (dash == std::string::npos) {
    return std::nullopt;
  }
  try {
    return std::stoull(value->substr(6, dash - 6));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

} // namespace

struct RegistryClient::Impl
{
  Reference ref;
  RegistryOptions options;
  http::Transport transport;
  std::atomic<int> requests{ 0 };

  std::mutex mutex; // guards the lazily computed state below
  std::string base_url;
  bool credentials_resolved = false;
  std::optional<Credentials> credentials;
  Secret authorization; // the current Authorization header value

  Impl(Reference r, RegistryOptions o)
    : ref(std::move(r)), options(std::move(o)), transport(make_transport_options(options))
  {
  }

  static http::TransportOptions
  make_transport_options(const RegistryOptions& o)
  {
    http::TransportOptions t;
    t.tls = o.tls;
    t.retry = o.retry;
    t.connect_timeout = o.connect_timeout;
    t.idle_timeout = o.idle_timeout;
    t.log_name = "registry";
    t.log_headers = { "docker-distribution-api-version" };
    return t;
  }

  std::string
  host() const
  {
    return ref.api_host();
  }

  Result<std::string> base();
  Result<std::optional<Credentials>> creds();
  Status authenticate(const http::Response& challenge_response, std::string_view what);
  Result<http::Response> send(http::Request request, std::string_view what);
  Error status_error(const http::Response& r, std::string_view what);
};

Result<std::string>
RegistryClient::Impl::base()
{
  const std::lock_guard lock(mutex);
  if (!base_url.empty()) {
    return base_url;
  }
  const auto h = host();
  const bool plain = std::find(options.plain_http.begin(), options.plain_http.end(), h) != options.plain_http.end();
  if (plain) {
    base_url = "http://" + h;
  } else if (is_loopback(h)) {
    // Like Docker with its default insecure 127.0.0.0/8: HTTPS when the
    // registry speaks it, else plain HTTP.
    http::Request probe{ .method = "GET", .url = "https://" + h + "/v2/" };
    probe.max_attempts = 1;
    probe.timeout = std::chrono::seconds(10);
    ++requests;
    auto r = transport.send(std::move(probe));
    // A certificate that does not verify still means the registry speaks
    // HTTPS: keep it, so the request fails with the TLS error.
    const bool https = r || r.error().kind() == ErrorKind::auth;
    base_url = (https ? "https://" : "http://") + h;
    log::debug("registry {}: using {}", h, base_url);
  } else {
    base_url = "https://" + h;
  }
  return base_url;
}

Result<std::optional<Credentials>>
RegistryClient::Impl::creds()
{
  const std::lock_guard lock(mutex);
  if (!credentials_resolved) {
    if (options.credentials) {
      credentials = options.credentials;
    } else {
      OCNE_TRY_ASSIGN(credentials, find_credentials(options.auth_files, ref));
    }
    credentials_resolved = true;
  }
  return credentials;
}

Error
RegistryClient::Impl::status_error(const http::Response& r, std::string_view what)
{
  if (r.status == 401 || r.status == 403) {
    return Error(ErrorKind::auth, fmt::format("{}: registry {} denied access: {}", what, host(), status_detail(r)));
  }
  if (http::retryable_status(r.status)) {
    return Error(
      ErrorKind::transient,
      fmt::format("{}: registry {} answered {} (after {} attempts)", what, host(), status_detail(r), r.attempts));
  }
  if (r.status == 404) {
    return Error(ErrorKind::not_found, fmt::format("{}: not found in registry {}: {}", what, host(), status_detail(r)));
  }
  return Error(ErrorKind::invalid_input, fmt::format("{}: registry {} answered {}", what, host(), status_detail(r)));
}

Status
RegistryClient::Impl::authenticate(const http::Response& challenge_response, std::string_view what)
{
  std::vector<Challenge> challenges;
  for (const auto& e : challenge_response.headers.entries()) {
    if (str::to_lower(e.name) == "www-authenticate") {
      auto parsed = parse_challenges(e.value);
      challenges.insert(challenges.end(), parsed.begin(), parsed.end());
    }
  }
  const auto find = [&](std::string_view scheme) -> const Challenge* {
    for (const auto& c : challenges) {
      if (c.scheme == scheme) {
        return &c;
      }
    }
    return nullptr;
  };
  OCNE_TRY_ASSIGN(const auto credentials, creds());
  const auto login_hint =
    "put credentials for it in ~/.docker/config.json or $REGISTRY_AUTH_FILE (skopeo login --authfile FILE ...)";

  if (const auto* bearer = find("bearer")) {
    const auto realm = bearer->params.find("realm");
    if (realm == bearer->params.end() || realm->second.empty()) {
      return make_error(ErrorKind::auth, "{}: registry {} sent a Bearer challenge without a realm", what, host());
    }
    http::QueryParams query;
    if (const auto s = bearer->params.find("service"); s != bearer->params.end()) {
      query.emplace_back("service", s->second);
    }
    const auto scope = bearer->params.find("scope");
    query.emplace_back("scope",
                       scope != bearer->params.end() && !scope->second.empty()
                         ? scope->second
                         : fmt::format("repository:{}:pull", ref.repository));
    const auto sep = realm->second.find('?') == std::string::npos ? "?" : "&";
    http::Request token_request{ .method = "GET", .url = realm->second + sep + http::build_query(query) };
    if (credentials) {
      token_request.headers.set("Authorization",
                                "Basic " + base64_encode(credentials->username + ":" + credentials->password.reveal()));
    }
    ++requests;
    OCNE_TRY_ASSIGN(auto r, transport.send(std::move(token_request)).map_error([&](Error e) {
      return std::move(e).with_context(
        fmt::format("{}: getting a token from {}", what, http::redact_url(realm->second)));
    }));
    if (r.status == 401 || r.status == 403) {
      if (credentials) {
        return make_error(ErrorKind::auth,
                          "{}: the token service of registry {} refused the credentials of user {} (from {})",
                          what,
                          host(),
                          str::quote(credentials->username),
                          credentials->source);
      }
      return make_error(ErrorKind::auth, "{}: registry {} needs credentials: {}", what, host(), login_hint);
    }
    if (!r.ok()) {
      return make_error(r.status >= 500 ? ErrorKind::transient : ErrorKind::auth,
                        "{}: the token service of registry {} answered {}",
                        what,
                        host(),
                        r.status);
    }
    std::string token;
    try {
      const auto j = json::parse(r.body);
      token = j.value("token", "");
      if (token.empty()) {
        token = j.value("access_token", "");
      }
    } catch (const json::exception&) {
    }
    if (token.empty()) {
      return make_error(ErrorKind::auth, "{}: the token service of registry {} sent no token", what, host());
    }
    const std::lock_guard lock(mutex);
    authorization = Secret("Bearer " + token);
    return {};
  }
  if (find("basic") != nullptr) {
    if (!credentials) {
      return make_error(ErrorKind::auth, "{}: registry {} needs credentials: {}", what, host(), login_hint);
    }
    const std::lock_guard lock(mutex);
    authorization = Secret("Basic " + base64_encode(credentials->username + ":" + credentials->password.reveal()));
    return {};
  }
  return make_error(
    ErrorKind::auth, "{}: registry {} asks for an authentication scheme ocne does not support", what, host());
}

Result<http::Response>
RegistryClient::Impl::send(http::Request request, std::string_view what)
{
  // Authorization is set per attempt, so a token fetched after a 401 is used
  // by the retry; it is never sent to a redirect target (a storage URL).
  bool authenticated = false;
  for (int redirects = 0;;) {
    const bool same_host = [&] {
      auto u = http::parse_url(request.url);
      return u && u->host_header() == host();
    }();
    request.before_send = [this, same_host](http::Request& r) -> Status {
      r.headers.remove("Authorization");
      const std::lock_guard lock(mutex);
      if (same_host && !authorization.empty()) {
        r.headers.set("Authorization", authorization.reveal());
      }
      return {};
    };
    ++requests;
    OCNE_TRY_ASSIGN(
      auto r, transport.send(request).map_error([&](Error e) { return std::move(e).with_context(std::string(what)); }));
    if (r.status == 401 && same_host && !authenticated) {
      OCNE_TRY(authenticate(r, what));
      authenticated = true;
      continue;
    }
    if (r.status == 401 && authenticated) {
      OCNE_TRY_ASSIGN(const auto credentials, creds());
      if (credentials) {
        return make_error(ErrorKind::auth,
                          "{}: registry {} refused the credentials of user {} (from {})",
                          what,
                          host(),
                          str::quote(credentials->username),
                          credentials->source);
      }
      return make_error(
        ErrorKind::auth, "{}: registry {} refused anonymous access: {}", what, host(), status_detail(r));
    }
    const bool redirect = r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308;
    if (redirect) {
      const auto location = r.header("Location");
      if (!location || ++redirects > k_max_redirects) {
        return make_error(ErrorKind::invalid_input, "{}: registry {} sent a bad redirect", what, host());
      }
      request.url = resolve_location(request.url, *location);
      log::debug("registry: redirected to {}", http::redact_url(request.url));
      continue;
    }
    return r;
  }
}

RegistryClient::RegistryClient(Reference ref, RegistryOptions options)
  : m_impl(std::make_unique<Impl>(std::move(ref), std::move(options)))
{
}

RegistryClient::~RegistryClient() = default;

int
RegistryClient::requests() const
{
  return m_impl->requests.load();
}

Result<FetchedManifest>
RegistryClient::manifest(std::string_view tag_or_digest)
{
  auto& ref = m_impl->ref;
  const auto what =
    fmt::format("{}{}{}", ref.name(), str::starts_with(tag_or_digest, "sha256:") ? "@" : ":", tag_or_digest);
  OCNE_TRY_ASSIGN(const auto base, m_impl->base());
  http::Request req{ .method = "GET",
                     .url = fmt::format("{}/v2/{}/manifests/{}", base, ref.repository, tag_or_digest) };
  req.headers.set("Accept", manifest_accept_header());
  OCNE_TRY_ASSIGN(auto r, m_impl->send(std::move(req), what));
  if (!r.ok()) {
    if (r.status == 404) {
      return make_error(ErrorKind::not_found,
                        "image {} not found: registry {} has no such {} ({})",
                        what,
                        m_impl->host(),
                        str::starts_with(tag_or_digest, "sha256:") ? "digest" : "tag",
                        status_detail(r));
    }
    return tl::unexpected(m_impl->status_error(r, what));
  }
  if (r.body.size() > k_max_manifest) {
    return make_error(ErrorKind::invalid_input, "{}: the manifest is larger than {} bytes", what, k_max_manifest);
  }
  FetchedManifest out;
  out.digest = sha256_of(r.body);
  out.media_type = r.header("Content-Type").value_or("");
  if (str::starts_with(tag_or_digest, "sha256:") && out.digest.str() != tag_or_digest) {
    return make_error(ErrorKind::transient,
                      "{}: registry {} sent a manifest whose digest is {}",
                      what,
                      m_impl->host(),
                      out.digest.str());
  }
  out.body = std::move(r.body);
  return out;
}

Result<fs::Path>
RegistryClient::fetch_blob(const Descriptor& blob, const BlobStore& store, ProgressTask* progress)
{
  auto& ref = m_impl->ref;
  const auto what = fmt::format("blob {} of {}", blob.digest.brief(), ref.name());
  const auto final_path = store.path(blob.digest);
  const auto partial_path = store.partial_path(blob.digest);
  OCNE_TRY(fs::ensure_dir(final_path.parent_path(), 0755));
  OCNE_TRY_ASSIGN(const auto lock, store.lock(blob.digest, m_impl->options.lock_timeout));
  if (progress != nullptr) {
    progress->set_total(blob.size);
  }
  if (store.has(blob.digest, blob.size)) {
    if (progress != nullptr) {
      progress->set_done(blob.size);
    }
    return final_path;
  }

  fs::Fd fd(::open(partial_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) {
    return make_error(ErrorKind::io, "{}: {}", partial_path.string(), fs::errno_message(errno));
  }
  const auto io_error = [&](int err) {
    return make_error(ErrorKind::io, "{}: {}", partial_path.string(), fs::errno_message(err));
  };
  struct stat st
  {};
  if (::fstat(fd.get(), &st) != 0) {
    return io_error(errno);
  }
  std::uint64_t have = static_cast<std::uint64_t>(st.st_size);
  Sha256 hash;
  if (have > blob.size) {
    log::debug("{}: the partial download is longer than the blob; starting over", what);
    have = 0;
  } else if (have > 0) {
    // Hash what an earlier run already downloaded.
    std::vector<char> buffer(1 << 20);
    for (std::uint64_t off = 0; off < have;) {
      const auto n = ::pread(fd.get(), buffer.data(), std::min<std::uint64_t>(buffer.size(), have - off), off);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) {
          continue;
        }
        return io_error(n < 0 ? errno : EIO);
      }
      hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      off += static_cast<std::uint64_t>(n);
    }
    log::info("Resuming download of {} at {} of {} bytes", what, have, blob.size);
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(have)) != 0) {
    return io_error(errno);
  }

  OCNE_TRY_ASSIGN(const auto base, m_impl->base());
  const auto url = fmt::format("{}/v2/{}/blobs/{}", base, ref.repository, blob.digest.str());
  int resumes_left = m_impl->options.max_resumes;
  while (have < blob.size) {
    if (progress != nullptr) {
      progress->set_done(have);
    }
    std::optional<Error> write_error;
    bool restart = false;
    http::Request req{ .method = "GET", .url = url };
    if (have > 0) {
      req.headers.set("Range", fmt::format("bytes={}-", have));
    }
    req.on_headers = [&](long status, const http::Headers& headers) {
      if (status == 200 && have > 0) {
        // The server ignored the Range: take the whole body from the start.
        log::debug("{}: the registry does not resume; downloading from the start", what);
        if (::ftruncate(fd.get(), 0) != 0) {
          write_error = Error(ErrorKind::io, fmt::format("{}: {}", partial_path.string(), fs::errno_message(errno)));
        }
        have = 0;
        hash = Sha256();
      } else if (status == 206 && content_range_start(headers) != have) {
        restart = true;
      }
    };
    req.on_body = [&](std::string_view chunk) {
      if (write_error || restart) {
        return false;
      }
      if (have + chunk.size() > blob.size) {
        write_error =
          Error(ErrorKind::invalid_input,
                fmt::format("{}: the registry sent more than the {} bytes the manifest lists", what, blob.size));
        return false;
      }
      for (std::string_view rest = chunk; !rest.empty();) {
        const auto n = ::pwrite(fd.get(), rest.data(), rest.size(), static_cast<off_t>(have));
        if (n < 0 && errno == EINTR) {
          continue;
        }
        if (n < 0) {
          write_error = Error(ErrorKind::io, fmt::format("{}: {}", partial_path.string(), fs::errno_message(errno)));
          return false;
        }
        hash.update(rest.substr(0, static_cast<std::size_t>(n)));
        have += static_cast<std::uint64_t>(n);
        rest.remove_prefix(static_cast<std::size_t>(n));
      }
      if (progress != nullptr) {
        progress->set_done(have);
      }
      return true;
    };
    const auto before = have;
    auto r = m_impl->send(std::move(req), what);
    if (write_error) {
      return tl::unexpected(*write_error);
    }
    if (restart) {
      if (resumes_left-- <= 0) {
        return make_error(ErrorKind::transient, "{}: the registry keeps answering the wrong byte range", what);
      }
      log::debug("{}: unexpected Content-Range; starting over", what);
      have = 0;
      hash = Sha256();
      if (::ftruncate(fd.get(), 0) != 0) {
        return io_error(errno);
      }
      continue;
    }
    if (!r) {
      const bool retryable = r.error().kind() == ErrorKind::transient || r.error().kind() == ErrorKind::timeout;
      if (!retryable || resumes_left-- <= 0) {
        return tl::unexpected(r.error());
      }
      log::warn("{}; resuming at byte {} of {}", r.error().message(), have, blob.size);
      if (have == before) {
        // Ctrl-C cuts the pause short; the next request sees it.
        sleep_for(real_clock(), std::chrono::milliseconds(200));
      }
      continue;
    }
    if (r->status == 416 && have > 0) {
      if (resumes_left-- <= 0) {
        return tl::unexpected(m_impl->status_error(*r, what));
      }
      log::debug("{}: the registry refused the range; starting over", what);
      have = 0;
      hash = Sha256();
      if (::ftruncate(fd.get(), 0) != 0) {
        return io_error(errno);
      }
      continue;
    }
    if (!r->ok()) {
      return tl::unexpected(m_impl->status_error(*r, what));
    }
    if (have < blob.size && have == before) {
      return make_error(ErrorKind::transient, "{}: the registry sent no data", what);
    }
  }

  if (::fdatasync(fd.get()) != 0) {
    return io_error(errno);
  }
  const auto got = hash.finish();
  if (got != blob.digest) {
    fd.reset();
    OCNE_TRY(store.remove(blob.digest));
    return make_error(ErrorKind::transient,
                      "{}: the downloaded data has digest {}, not {}; the bad download was deleted, run the command "
                      "again",
                      what,
                      got.str(),
                      blob.digest.str());
  }
  fd.reset();
  if (::rename(partial_path.c_str(), final_path.c_str()) != 0) {
    return io_error(errno);
  }
  if (progress != nullptr) {
    progress->set_done(blob.size);
  }
  return final_path;
}

} // namespace ocne::image
