#pragma once

// Certificates for the Kubernetes test server: a CA (generated, or given as
// kubeadm's ca.crt + ca.key), the serving certificate and the admin's client
// certificate issued from it. Failures throw std::runtime_error.

#include <string>
#include <vector>

namespace ocne::test::kube {

struct CertKey
{
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed CA with an EC P-256 key.
CertKey make_ca(const std::string& common_name);

// A certificate issued by ca (whose key may be RSA, EC or Ed25519).
// sans: "DNS:name" / "IP:addr", or bare names and addresses.
CertKey issue_cert(const CertKey& ca,
                   const std::string& common_name,
                   const std::vector<std::string>& organizations,
                   const std::vector<std::string>& sans,
                   bool client_auth,
                   bool server_auth);

// "IP:1.2.3.4" or "DNS:name" for a bare or prefixed SAN.
std::string normalize_san(const std::string& san);

// Throws when key_pem is not the private key of cert_pem's public key.
void check_key_matches(const std::string& cert_pem, const std::string& key_pem, const std::string& what);

} // namespace ocne::test::kube
