#pragma once

// Server-side check of OCI request signatures, written separately from the
// client's signer (pkg/oci/signer.cpp) so that a mistake in one is not
// mirrored in the other. It parses the Authorization header in any parameter
// order, rebuilds the signing string from the request as received, and
// verifies RSA-SHA256 with the public key registered for the keyId.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test::oci {

// What the verifier needs to know about one request.
struct IncomingRequest
{
  std::string method;                              // "GET"
  std::string target;                              // path and query exactly as received
  std::multimap<std::string, std::string> headers; // names in any case
  // SHA-256 of the body, base64, when the body was read (JSON requests).
  std::optional<std::string> body_sha256;
  // PutObject / UploadPart: body headers need not be signed.
  bool body_exempt = false;
};

struct AuthResult
{
  bool ok = false;
  std::string reason;    // why it failed (for test assertions and logs)
  std::string principal; // keyId without the token for ST$ ids
};

class SignatureVerifier
{
public:
  SignatureVerifier();
  ~SignatureVerifier();
  SignatureVerifier(const SignatureVerifier&) = delete;
  SignatureVerifier& operator=(const SignatureVerifier&) = delete;

  // keyId "<tenancy>/<user>/<fingerprint>" accepted with this public key (PEM).
  void add_api_key(const std::string& key_id, const std::string& public_key_pem);
  // "ST$<token>" accepted with this public key.
  void add_session_token(const std::string& token, const std::string& public_key_pem);
  void set_max_skew(std::chrono::seconds skew);

  AuthResult verify(const IncomingRequest& request, std::chrono::system_clock::time_point now) const;

private:
  struct Key;
  mutable std::mutex m_mutex;
  std::map<std::string, std::shared_ptr<Key>> m_keys;
  std::chrono::seconds m_max_skew{ 300 };
};

// Parses `k="v",k2="v2"` after the "Signature " scheme; nullopt when malformed.
std::optional<std::map<std::string, std::string>> parse_signature_params(const std::string& authorization);

} // namespace ocne::test::oci
