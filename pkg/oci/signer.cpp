#include "pkg/oci/signer.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/http/url.hpp"
#include "pkg/oci/digest.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <ctime>
#include <mutex>

namespace ocne::oci {

namespace {

struct PkeyDeleter
{
  void
  operator()(EVP_PKEY* p) const
  {
    EVP_PKEY_free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct BioDeleter
{
  void
  operator()(BIO* b) const
  {
    BIO_free(b);
  }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct MdCtxDeleter
{
  void
  operator()(EVP_MD_CTX* c) const
  {
    EVP_MD_CTX_free(c);
  }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// OpenSSL asks for the pass phrase through this callback. Without one it
// would prompt on the terminal, so it is always installed.
int
pass_phrase_callback(char* buf, int size, int /*rwflag*/, void* user)
{
  const auto* phrase = static_cast<const Secret*>(user);
  if (phrase == nullptr || phrase->empty() || static_cast<int>(phrase->reveal().size()) > size) {
    return -1;
  }
  const auto& p = phrase->reveal();
  std::copy(p.begin(), p.end(), buf);
  return static_cast<int>(p.size());
}

bool
pem_is_encrypted(std::string_view pem)
{
  return pem.find("BEGIN ENCRYPTED PRIVATE KEY") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

Result<PkeyPtr>
load_key(const Secret& key_pem, const Secret& pass_phrase, std::string_view key_name)
{
  const auto& pem = key_pem.reveal();
  if (pem.find("-----BEGIN") == std::string::npos || pem.find("PRIVATE KEY-----") == std::string::npos) {
    return make_error(ErrorKind::invalid_input, "{} is not a PEM private key", key_name);
  }
  const bool encrypted = pem_is_encrypted(pem);
  if (encrypted && pass_phrase.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "{} is encrypted and no pass phrase was given (set pass_phrase in the OCI config)",
                      key_name);
  }
  const BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, pass_phrase_callback, const_cast<Secret*>(&pass_phrase)));
  ERR_clear_error();
  if (!key) {
    if (encrypted) {
      return make_error(ErrorKind::auth, "cannot decrypt {}: wrong pass phrase", key_name);
    }
    return make_error(ErrorKind::invalid_input, "{} is not a valid PEM private key", key_name);
  }
  if (EVP_PKEY_is_a(key.get(), "RSA") != 1) {
    return make_error(ErrorKind::invalid_input,
                      "{} is a {} key; OCI API keys are RSA",
                      key_name,
                      EVP_PKEY_get0_type_name(key.get()) != nullptr ? EVP_PKEY_get0_type_name(key.get()) : "non-RSA");
  }
  return key;
}

std::string
public_key_fingerprint(EVP_PKEY* key)
{
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) {
    return "";
  }
  const auto digest = md5(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return hex_colon(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool
method_has_body(std::string_view method)
{
  return method == "POST" || method == "PUT" || method == "PATCH";
}

} // namespace

struct Signer::Impl
{
  PkeyPtr key;
  Secret key_id; // holds the session token for ST$ ids
  bool session = false;
  std::string configured_fingerprint;
  std::string key_fingerprint;
  std::string key_name;
  mutable std::mutex mutex; // EVP signing contexts are per call; this keeps RSA blinding state simple
};

std::vector<std::string>
signed_header_names(std::string_view method, BodySigning mode)
{
  std::vector<std::string> names = { "date", "(request-target)", "host" };
  if (mode == BodySigning::standard && method_has_body(method)) {
    names.insert(names.end(), { "content-length", "content-type", "x-content-sha256" });
  }
  return names;
}

std::string
http_date(std::chrono::system_clock::time_point t)
{
  static constexpr std::array<const char*, 7> k_days = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static constexpr std::array<const char*, 12> k_months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT",
                     k_days[static_cast<std::size_t>(tm.tm_wday)],
                     tm.tm_mday,
                     k_months[static_cast<std::size_t>(tm.tm_mon)],
                     tm.tm_year + 1900,
                     tm.tm_hour,
                     tm.tm_min,
                     tm.tm_sec);
}

Result<Signer>
Signer::from_api_key(const Secret& key_pem, const Secret& pass_phrase, const ApiKeyId& id, std::string_view key_name)
{
  if (id.tenancy.empty() || id.user.empty() || id.fingerprint.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "API key signing needs tenancy, user and fingerprint (missing: {})",
                      id.tenancy.empty() ? "tenancy"
                      : id.user.empty()  ? "user"
                                         : "fingerprint");
  }
  OCNE_TRY_ASSIGN(auto key, load_key(key_pem, pass_phrase, key_name));
  auto impl = std::make_shared<Impl>();
  impl->key_fingerprint = public_key_fingerprint(key.get());
  impl->key = std::move(key);
  impl->key_id = Secret(id.tenancy + "/" + id.user + "/" + id.fingerprint);
  impl->configured_fingerprint = id.fingerprint;
  impl->key_name = std::string(key_name);
  return Signer(std::move(impl));
}

Result<Signer>
Signer::from_session_token(const Secret& key_pem,
                           const Secret& pass_phrase,
                           const Secret& token,
                           std::string_view key_name)
{
  const auto trimmed = str::trim(token.reveal());
  if (trimmed.empty()) {
    return make_error(ErrorKind::invalid_input, "the session token is empty");
  }
  OCNE_TRY_ASSIGN(auto key, load_key(key_pem, pass_phrase, key_name));
  auto impl = std::make_shared<Impl>();
  impl->key_fingerprint = public_key_fingerprint(key.get());
  impl->key = std::move(key);
  impl->key_id = Secret("ST$" + std::string(trimmed));
  impl->session = true;
  impl->key_name = std::string(key_name);
  return Signer(std::move(impl));
}

bool
Signer::is_session_token() const
{
  return m_impl->session;
}

const std::string&
Signer::configured_fingerprint() const
{
  return m_impl->configured_fingerprint;
}

const std::string&
Signer::key_fingerprint() const
{
  return m_impl->key_fingerprint;
}

std::string
Signer::auth_hint() const
{
  if (m_impl->session) {
    return "the session token may have expired: refresh it (oci session refresh) and check the system clock";
  }
  if (str::to_lower(m_impl->configured_fingerprint) != m_impl->key_fingerprint) {
    return fmt::format("the configured fingerprint {} does not match {} (its fingerprint is {}): "
                       "fix fingerprint or key_file in the OCI config",
                       m_impl->configured_fingerprint,
                       m_impl->key_name,
                       m_impl->key_fingerprint);
  }
  return "check user, tenancy, fingerprint and key_file in the OCI config, that the key is uploaded to the user, "
         "and that the system clock is right";
}

Status
Signer::prepare(http::Request& request, BodySigning mode) const
{
  if (mode != BodySigning::standard || !method_has_body(request.method)) {
    return {};
  }
  if (request.body_source) {
    return make_error(ErrorKind::internal,
                      "{} {}: a streamed body cannot be signed; use BodySigning::exclude_body",
                      request.method,
                      http::redact_url(request.url));
  }
  request.headers.set("content-length", std::to_string(request.body.size()));
  request.headers.set("x-content-sha256", sha256_base64(request.body));
  if (!request.headers.has("content-type")) {
    request.headers.set("content-type", "application/json");
  }
  return {};
}

Status
Signer::sign(http::Request& request, BodySigning mode, std::chrono::system_clock::time_point now) const
{
  return sign(request, mode, http_date(now));
}

Status
Signer::sign(http::Request& request, BodySigning mode, const std::string& date) const
{
  OCNE_TRY_ASSIGN(const auto url, http::parse_url(request.url));
  request.headers.set("date", date);
  request.headers.set("host", url.host_header());
  std::vector<std::pair<std::string, std::string>> lines;
  for (const auto& name : signed_header_names(request.method, mode)) {
    if (name == "(request-target)") {
      lines.emplace_back(name, str::to_lower(request.method) + " " + url.request_target());
      continue;
    }
    auto value = request.headers.get(name);
    if (!value) {
      return make_error(ErrorKind::internal,
                        "{} {}: header {} must be set before signing",
                        request.method,
                        http::redact_url(request.url),
                        name);
    }
    lines.emplace_back(name, std::move(*value));
  }
  OCNE_TRY_ASSIGN(auto parts, sign_lines(lines));
  request.headers.set("authorization", std::move(parts.authorization));
  return {};
}

Result<SignatureParts>
Signer::sign_lines(const std::vector<std::pair<std::string, std::string>>& lines) const
{
  SignatureParts out;
  std::string names;
  for (const auto& [name, value] : lines) {
    const auto lower = str::to_lower(name);
    if (!out.signing_string.empty()) {
      out.signing_string += '\n';
      names += ' ';
    }
    out.signing_string += lower + ": " + value;
    names += lower;
  }
  std::string signature;
  {
    const std::lock_guard lock(m_impl->mutex);
    const MdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_impl->key.get()) != 1 ||
        EVP_DigestSign(ctx.get(),
                       nullptr,
                       &len,
                       reinterpret_cast<const unsigned char*>(out.signing_string.data()),
                       out.signing_string.size()) != 1) {
      ERR_clear_error();
      return make_error(ErrorKind::internal, "RSA-SHA256 signing failed with {}", m_impl->key_name);
    }
    signature.resize(len);
    if (EVP_DigestSign(ctx.get(),
                       reinterpret_cast<unsigned char*>(signature.data()),
                       &len,
                       reinterpret_cast<const unsigned char*>(out.signing_string.data()),
                       out.signing_string.size()) != 1) {
      ERR_clear_error();
      return make_error(ErrorKind::internal, "RSA-SHA256 signing failed with {}", m_impl->key_name);
    }
    signature.resize(len);
  }
  out.signature = base64_encode(signature);
  out.authorization =
    fmt::format(R"(Signature version="1",headers="{}",keyId="{}",algorithm="rsa-sha256",signature="{}")",
                names,
                m_impl->key_id.reveal(),
                out.signature);
  return out;
}

} // namespace ocne::oci
