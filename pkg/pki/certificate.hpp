#pragma once

// X.509 certificates made with OpenSSL: a cluster CA and certificates it
// issues. Certificates travel as PEM text; private keys as Secret PEM.

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ocne::pki {

struct Subject
{
  std::string common_name;
  std::vector<std::string> organizations;
  std::string organizational_unit;
  std::string country;
  std::string state;
};

// A certificate and its private key.
struct CertKey
{
  std::string cert_pem;
  Secret key_pem;
};

struct CaOptions
{
  Subject subject;
  std::chrono::hours validity{ 24 * 365 * 20 };
  int key_bits = 2048;
};

struct CertOptions
{
  Subject subject;
  std::vector<std::string> dns_names;
  // IPv4 or IPv6 literals; anything else is an invalid_input error.
  std::vector<std::string> ip_addresses;
  bool client_auth = false;
  bool server_auth = false;
  std::chrono::hours validity{ 24 * 365 };
  int key_bits = 2048;
};

// A self-signed CA: basicConstraints CA:TRUE (critical), keyUsage
// keyCertSign + cRLSign + digitalSignature + keyEncipherment (critical),
// subject key identifier.
Result<CertKey> make_ca(const CaOptions& options);

// A leaf certificate with a new key, signed by ca (SHA-256).
Result<CertKey> issue_certificate(const CertKey& ca, const CertOptions& options);

// kubeadm's CA pin: "sha256:" + hex SHA-256 of the certificate's
// DER-encoded SubjectPublicKeyInfo (--discovery-token-ca-cert-hash).
Result<std::string> ca_cert_hash(std::string_view cert_pem);

// Whether text is an IPv4 or IPv6 literal.
bool is_ip_address(std::string_view text);

} // namespace ocne::pki
