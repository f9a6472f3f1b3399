#pragma once

// The one HTTP transport (libcurl) behind every REST client: TLS, connection
// reuse, timeouts, retries with backoff (honouring Retry-After), streaming
// bodies both ways, and logs that never show credentials.
//
// Retry rules:
//  - connection failures before anything was sent are retried for any method;
//  - other transport errors and 408/429/5xx answers are retried for
//    idempotent requests; non-idempotent ones are retried only on 429;
//  - a response already being streamed to on_body is never restarted (the
//    caller resumes with a Range request instead).
// After the last attempt the last answer is returned as it is: an HTTP error
// status is a Response, not an error; clients turn it into their own errors.

#include "pkg/core/clock.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/http/request.hpp"
#include "pkg/http/retry.hpp"

#include <memory>
#include <string>
#include <vector>

namespace ocne::http {

struct TlsOptions
{
  // PEM CA certificates to trust instead of the system store (kubeconfig CA).
  std::string ca_pem;
  std::string ca_file;
  // Client certificate authentication.
  std::string client_cert_pem;
  Secret client_key_pem;
  // Only when a kubeconfig explicitly says insecure-skip-tls-verify.
  bool insecure_skip_verify = false;
};

struct TransportOptions
{
  TlsOptions tls;
  RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{ 10000 };
  // Default per-attempt limits (a Request may set its own).
  std::chrono::milliseconds timeout{ 0 };
  std::chrono::milliseconds idle_timeout{ 60000 };
  std::string user_agent = "ocne/" OCNE_VERSION;
  // HTTP/1.1 by default: parallel transfers then get their own connections.
  bool http2 = false;
  // Name used in debug logs ("oci", "kube", ...).
  std::string log_name = "http";
  // Response headers worth logging at debug level (request ids).
  std::vector<std::string> log_headers = { "opc-request-id", "x-request-id", "audit-id" };
  // Time for the pauses between attempts; null: real_clock().
  Clock* clock = nullptr;
};

class Transport
{
public:
  explicit Transport(TransportOptions options = {});
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sends with retries. Thread-safe: parallel calls use separate connections.
  Result<Response> send(Request request) const;

  const TransportOptions& options() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace ocne::http
