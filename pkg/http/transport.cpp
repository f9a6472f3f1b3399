#include "pkg/http/transport.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/http/url.hpp"

#include <curl/curl.h>

#include <mutex>
#include <random>

namespace ocne::http {

namespace {

// RAII owners for curl handles (house style H1).
struct CurlEasyDeleter
{
  void
  operator()(CURL* h) const
  {
    curl_easy_cleanup(h);
  }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter
{
  void
  operator()(curl_slist* l) const
  {
    curl_slist_free_all(l);
  }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

void
global_init()
{
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Everything one attempt needs while curl calls back into us.
struct Attempt
{
  Request* request = nullptr;
  BodySource* body = nullptr;
  Response response;
  bool headers_done = false;
  bool streaming = false;       // the body goes to request->on_body
  std::uint64_t streamed = 0;   // bytes handed to on_body
  std::uint64_t uploaded = 0;   // request body bytes handed to curl
  std::optional<Error> failure; // an error raised inside a callback
  bool cancelled = false;
};

constexpr std::size_t k_max_error_body = 1 << 20;

std::size_t
on_read(char* buffer, std::size_t size, std::size_t count, void* user)
{
  auto* a = static_cast<Attempt*>(user);
  auto n = a->body->read(buffer, size * count);
  if (!n) {
    a->failure = n.error();
    return CURL_READFUNC_ABORT;
  }
  a->uploaded += *n;
  return *n;
}

int
on_seek(void* user, curl_off_t offset, int origin)
{
  auto* a = static_cast<Attempt*>(user);
  if (offset != 0 || origin != SEEK_SET || !a->body->rewind()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  a->uploaded = 0;
  return CURL_SEEKFUNC_OK;
}

std::size_t
on_header(char* buffer, std::size_t size, std::size_t count, void* user)
{
  auto* a = static_cast<Attempt*>(user);
  const std::string_view line(buffer, size * count);
  if (str::starts_with(line, "HTTP/")) {
    // A new status line (after 100 Continue or a redirect): start over.
    a->response.headers.clear();
    if (!a->streaming) {
      a->response.body.clear();
    }
    const auto parts = str::split_trimmed(line, ' ');
    if (parts.size() >= 2) {
      a->response.status = std::strtol(parts[1].c_str(), nullptr, 10);
    }
    return size * count;
  }
  const auto trimmed = str::trim(line);
  if (trimmed.empty()) {
    const bool redirect = a->request->follow_redirects && a->response.status >= 300 && a->response.status < 400 &&
                          a->response.headers.has("location");
    if (a->response.status >= 200 && !a->headers_done && !redirect) {
      a->headers_done = true;
      a->streaming = a->request->on_body && a->response.ok();
      if (a->request->on_headers) {
        a->request->on_headers(a->response.status, a->response.headers);
      }
    }
    return size * count;
  }
  if (const auto colon = trimmed.find(':'); colon != std::string_view::npos) {
    a->response.headers.add(std::string(str::trim(trimmed.substr(0, colon))),
                            std::string(str::trim(trimmed.substr(colon + 1))));
  }
  return size * count;
}

std::size_t
on_write(char* buffer, std::size_t size, std::size_t count, void* user)
{
  auto* a = static_cast<Attempt*>(user);
  const std::string_view chunk(buffer, size * count);
  if (a->streaming) {
    if (!a->request->on_body(chunk)) {
      a->cancelled = true;
      return 0; // makes curl fail with CURLE_WRITE_ERROR
    }
    a->streamed += chunk.size();
    return chunk.size();
  }
  if (a->response.body.size() + chunk.size() > k_max_error_body && a->request->on_body) {
    return chunk.size(); // an error body from a streaming request: keep the start only
  }
  a->response.body.append(chunk);
  return chunk.size();
}

int
on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
  auto* a = static_cast<Attempt*>(user);
  if (interrupted()) {
    a->cancelled = true;
    return 1;
  }
  return 0;
}

bool
connect_failure(CURLcode code)
{
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY;
}

bool
transient_failure(CURLcode code)
{
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

bool
tls_failure(CURLcode code)
{
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM ||
         code == CURLE_SSL_ISSUER_ERROR || code == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

curl_blob
blob_of(const std::string& s)
{
  curl_blob b{};
  b.data = const_cast<char*>(s.data());
  b.len = s.size();
  b.flags = CURL_BLOB_COPY;
  return b;
}

} // namespace

struct Transport::Impl
{
  TransportOptions options;
  mutable std::mutex mutex;
  mutable std::vector<CurlEasy> idle; // handles keep their connections alive
  mutable std::mt19937_64 rng{ std::random_device{}() };

  CurlEasy
  checkout() const
  {
    const std::lock_guard lock(mutex);
    if (!idle.empty()) {
      auto h = std::move(idle.back());
      idle.pop_back();
      return h;
    }
    return CurlEasy(curl_easy_init());
  }

  void
  checkin(CurlEasy h) const
  {
    const std::lock_guard lock(mutex);
    idle.push_back(std::move(h));
  }

  double
  jitter() const
  {
    const std::lock_guard lock(mutex);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }

  // One attempt. Returns the curl code; fills attempt.
  CURLcode perform(CURL* h, Attempt& attempt, char* errbuf) const;
};

CURLcode
Transport::Impl::perform(CURL* h, Attempt& attempt, char* errbuf) const
{
  Request& req = *attempt.request;
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, options.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  if (req.follow_redirects) {
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  const auto timeout = req.timeout.count() > 0 ? req.timeout : options.timeout;
  if (timeout.count() > 0) {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  }
  const auto idle_timeout = req.idle_timeout.count() > 0 ? req.idle_timeout : options.idle_timeout;
  if (idle_timeout.count() > 0) {
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(idle_timeout.count() / 1000)));
  }

  // TLS: verification is always on unless explicitly disabled.
  const auto& tls = options.tls;
  if (!tls.ca_pem.empty()) {
    auto blob = blob_of(tls.ca_pem);
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
  } else if (!tls.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
  }
  if (!tls.client_cert_pem.empty()) {
    auto cert = blob_of(tls.client_cert_pem);
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!tls.client_key_pem.empty()) {
    auto key = blob_of(tls.client_key_pem.reveal());
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);

  // Method and body.
  const bool has_body = attempt.body != nullptr;
  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (has_body && req.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(attempt.body->size()));
  } else if (has_body || req.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(has_body ? attempt.body->size() : 0));
    if (!has_body) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    }
  }
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST" && !(req.method == "PUT" && has_body)) {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (has_body) {
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &attempt);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &attempt);
  }

  // Headers: ours, and none of curl's defaults that we did not ask for.
  curl_slist* raw = nullptr;
  bool has_content_type = false;
  for (const auto& e : req.headers.entries()) {
    raw = curl_slist_append(raw, (e.name + ": " + e.value).c_str());
    has_content_type = has_content_type || str::to_lower(e.name) == "content-type";
  }
  raw = curl_slist_append(raw, "Expect:");
  if (!has_content_type && (has_body || req.method == "POST")) {
    raw = curl_slist_append(raw, "Content-Type:");
  }
  const CurlSlist headers(raw);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &attempt);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &attempt);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &attempt);

  return curl_easy_perform(h);
}

Transport::Transport(TransportOptions options) : m_impl(std::make_unique<Impl>())
{
  global_init();
  m_impl->options = std::move(options);
}

Transport::~Transport() = default;

const TransportOptions&
Transport::options() const
{
  return m_impl->options;
}

Result<Response>
Transport::send(Request request) const
{
  const auto& policy = m_impl->options.retry;
  const int max_attempts = std::max(1, request.max_attempts > 0 ? request.max_attempts : policy.max_attempts);
  std::shared_ptr<BodySource> body = request.body_source;
  if (!body && !request.body.empty()) {
    body = memory_body(std::move(request.body));
    request.body.clear();
  }
  const auto safe_url = redact_url(request.url);
  const auto& name = m_impl->options.log_name;

  for (int attempt_no = 1;; ++attempt_no) {
    if (interrupted()) {
      return make_error(ErrorKind::cancelled, "{} {}: interrupted", request.method, safe_url);
    }
    if (request.before_send) {
      OCNE_TRY(request.before_send(request));
    }
    if (body) {
      OCNE_TRY(body->rewind());
    }
    Attempt attempt;
    attempt.request = &request;
    attempt.body = body.get();
    char errbuf[CURL_ERROR_SIZE] = { 0 };
    auto handle = m_impl->checkout();
    if (!handle) {
      return make_error(ErrorKind::internal, "cannot create a curl handle");
    }
    const auto started = std::chrono::steady_clock::now();
    const CURLcode code = m_impl->perform(handle.get(), attempt, errbuf);
    const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    m_impl->checkin(std::move(handle));

    if (attempt.failure) {
      return make_error(attempt.failure->with_context(fmt::format("{} {}", request.method, safe_url)));
    }
    if (attempt.cancelled) {
      return make_error(ErrorKind::cancelled, "{} {}: cancelled", request.method, safe_url);
    }

    std::chrono::milliseconds delay{ 0 };
    if (code != CURLE_OK) {
      const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
      log::debug("{}: {} {} failed after {} ms (attempt {}): {}",
                 name,
                 request.method,
                 safe_url,
                 elapsed.count(),
                 attempt_no,
                 detail);
      const bool may_retry =
        attempt.streamed == 0 && transient_failure(code) && (request.is_idempotent() || connect_failure(code));
      if (!may_retry || attempt_no >= max_attempts) {
        const auto kind = tls_failure(code)                  ? ErrorKind::auth
                          : code == CURLE_OPERATION_TIMEDOUT ? ErrorKind::timeout
                          : transient_failure(code)          ? ErrorKind::transient
                                                             : ErrorKind::io;
        const auto what = tls_failure(code) ? "TLS verification failed: " : "";
        if (attempt_no > 1) {
          return make_error(
            kind, "{} {}: {}{} (after {} attempts)", request.method, safe_url, what, detail, attempt_no);
        }
        return make_error(kind, "{} {}: {}{}", request.method, safe_url, what, detail);
      }
      delay = backoff_delay(policy, attempt_no + 1, m_impl->jitter());
    } else {
      auto& response = attempt.response;
      response.attempts = attempt_no;
      if (log::enabled(log::Level::debug)) {
        std::string ids;
        for (const auto& h : m_impl->options.log_headers) {
          if (auto v = response.header(h)) {
            ids += fmt::format(", {}={}", h, *v);
          }
        }
        log::debug("{}: {} {} -> {} ({} ms, attempt {}{})",
                   name,
                   request.method,
                   safe_url,
                   response.status,
                   elapsed.count(),
                   attempt_no,
                   ids);
      }
      const bool may_retry = retryable_status(response.status) && attempt.streamed == 0 &&
                             (request.is_idempotent() || response.status == 429);
      if (!may_retry || attempt_no >= max_attempts) {
        return std::move(response);
      }
      delay = backoff_delay(policy, attempt_no + 1, m_impl->jitter());
      if (auto after = response.header("Retry-After")) {
        if (auto parsed = parse_retry_after(*after, std::chrono::system_clock::now())) {
          delay = std::min(*parsed, policy.max_retry_after);
        }
      }
      log::debug(
        "{}: {} {} answered {}; retrying in {} ms", name, request.method, safe_url, response.status, delay.count());
    }
    // Ctrl-C ends the pause; the next round sees it.
    sleep_for(clock_or_real(m_impl->options.clock), delay);
  }
}

} // namespace ocne::http
