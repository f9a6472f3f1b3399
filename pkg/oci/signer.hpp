#pragma once

// OCI request signing ("Signature version 1": draft-cavage-http-signatures-08
// with rsa-sha256), as Oracle's SDKs do it:
//  - GET, HEAD, DELETE sign "date (request-target) host";
//  - POST, PUT, PATCH also sign "content-length content-type x-content-sha256",
//    even for an empty body (content-length: 0 and the SHA-256 of "");
//  - Object Storage PutObject and UploadPart sign only the first three
//    (BodySigning::exclude_body), so a multi-GiB body is never hashed twice.
// (request-target) is the lowercase method and the path and query exactly as
// sent; host carries ":port" when the URL has one.

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/http/request.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocne::oci {

enum class BodySigning {
  standard,     // the rule for the method
  exclude_body, // Object Storage PutObject / UploadPart
};

// The ordered list of signed headers for a method.
std::vector<std::string> signed_header_names(std::string_view method, BodySigning mode);

// "Thu, 05 Jan 2014 21:31:40 GMT" (RFC 7231 IMF-fixdate), locale independent.
std::string http_date(std::chrono::system_clock::time_point t);

struct ApiKeyId
{
  std::string tenancy;
  std::string user;
  std::string fingerprint; // as configured: used verbatim in keyId
};

struct SignatureParts
{
  std::string signing_string;
  std::string signature; // base64
  std::string authorization;
};

class Signer
{
public:
  // key_pem is a PKCS#1 or PKCS#8 RSA key, encrypted or not; pass_phrase may
  // be empty. key_name names the key in errors ("key file /home/u/.oci/k.pem").
  static Result<Signer> from_api_key(const Secret& key_pem,
                                     const Secret& pass_phrase,
                                     const ApiKeyId& id,
                                     std::string_view key_name);
  // Session token auth (security_token_file): keyId "ST$<token>", signed with
  // the session's key.
  static Result<Signer> from_session_token(const Secret& key_pem,
                                           const Secret& pass_phrase,
                                           const Secret& token,
                                           std::string_view key_name);

  // Once per request, before sending: for POST/PUT/PATCH under the standard
  // rule, sets content-length, x-content-sha256 (of the in-memory body) and
  // content-type (application/json unless set).
  Status prepare(http::Request& request, BodySigning mode) const;
  // Before every attempt: sets Date (now), Host and Authorization.
  Status sign(http::Request& request, BodySigning mode, std::chrono::system_clock::time_point now) const;
  // The same with the Date value given as text (the published vectors carry
  // "Thu, 05 Jan 2014", a date whose weekday is really Sunday).
  Status sign(http::Request& request, BodySigning mode, const std::string& date) const;

  // Signs explicit "name: value" lines in order ("(request-target)" included).
  Result<SignatureParts> sign_lines(const std::vector<std::pair<std::string, std::string>>& lines) const;

  bool is_session_token() const;
  // The fingerprint the config gave (empty for session tokens).
  const std::string& configured_fingerprint() const;
  // MD5 of the key's public DER, "aa:bb:...", as the OCI console shows it.
  const std::string& key_fingerprint() const;
  // What to tell the user after a 401: names a fingerprint that does not
  // match the key, or what else to check.
  std::string auth_hint() const;

private:
  struct Impl;
  explicit Signer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl))
  {
  }
  std::shared_ptr<const Impl> m_impl;
};

} // namespace ocne::oci
