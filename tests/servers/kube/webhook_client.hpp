#pragma once

// How the Kubernetes test server calls a webhook: one HTTPS POST of JSON,
// verified against the caBundle of the webhook's clientConfig for the host
// name the real API server would use ("<service>.<namespace>.svc" or the
// URL's host), with a deadline. Failures read like Go's net/http and
// crypto/tls errors, which is what kube-apiserver puts in its messages.

#include <chrono>
#include <string>

namespace ocne::test::kube {

struct WebhookPost
{
  std::string connect_host; // numeric address to dial ("127.0.0.1")
  int connect_port = 0;
  std::string server_name; // SNI and the name the certificate must carry
  std::string path;        // path and query
  std::string ca_pem;      // trusted roots (empty: nothing is trusted)
  std::string body;
  std::chrono::milliseconds timeout{ 10000 };
};

struct WebhookReply
{
  // Empty when the exchange worked (whatever the HTTP status); otherwise
  // "dial tcp 127.0.0.1:1234: connect: connection refused",
  // "tls: failed to verify certificate: x509: certificate signed by unknown authority",
  // "context deadline exceeded", ...
  std::string error;
  int status = 0;
  std::string body;
};

WebhookReply post_webhook(const WebhookPost& post);

} // namespace ocne::test::kube
