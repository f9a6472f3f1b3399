#include "tests/servers/oci/auth.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <sstream>

namespace ocne::test::oci {

namespace {

std::string
lower(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::optional<std::string>
header(const IncomingRequest& r, const std::string& name)
{
  for (const auto& [k, v] : r.headers) {
    if (lower(k) == name) {
      return v;
    }
  }
  return std::nullopt;
}

std::optional<std::string>
decode_base64(const std::string& text)
{
  if (text.empty() || text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return std::nullopt;
  }
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) {
    ++pad;
  }
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::optional<std::chrono::system_clock::time_point>
parse_date(const std::string& text)
{
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

} // namespace

struct SignatureVerifier::Key
{
  EVP_PKEY* pkey = nullptr;
  ~Key()
  {
    EVP_PKEY_free(pkey);
  }
};

SignatureVerifier::SignatureVerifier() = default;
SignatureVerifier::~SignatureVerifier() = default;

namespace {

EVP_PKEY*
read_public_key(const std::string& pem)
{
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  return key;
}

} // namespace

void
SignatureVerifier::add_api_key(const std::string& key_id, const std::string& public_key_pem)
{
  auto key = std::make_shared<Key>();
  key->pkey = read_public_key(public_key_pem);
  if (key->pkey == nullptr) {
    throw std::runtime_error("test server: not a PEM public key for " + key_id);
  }
  const std::lock_guard lock(m_mutex);
  m_keys[key_id] = std::move(key);
}

void
SignatureVerifier::add_session_token(const std::string& token, const std::string& public_key_pem)
{
  add_api_key("ST$" + token, public_key_pem);
}

void
SignatureVerifier::set_max_skew(std::chrono::seconds skew)
{
  const std::lock_guard lock(m_mutex);
  m_max_skew = skew;
}

std::optional<std::map<std::string, std::string>>
parse_signature_params(const std::string& authorization)
{
  static const std::string k_scheme = "Signature ";
  if (authorization.compare(0, k_scheme.size(), k_scheme) != 0) {
    return std::nullopt;
  }
  std::map<std::string, std::string> params;
  std::size_t i = k_scheme.size();
  while (i < authorization.size()) {
    while (i < authorization.size() && (authorization[i] == ' ' || authorization[i] == ',')) {
      ++i;
    }
    if (i >= authorization.size()) {
      break;
    }
    const auto eq = authorization.find('=', i);
    if (eq == std::string::npos || eq + 1 >= authorization.size() || authorization[eq + 1] != '"') {
      return std::nullopt;
    }
    const auto close = authorization.find('"', eq + 2);
    if (close == std::string::npos) {
      return std::nullopt;
    }
    const auto name = authorization.substr(i, eq - i);
    if (params.count(name) != 0) {
      return std::nullopt; // a repeated parameter is ambiguous
    }
    params[name] = authorization.substr(eq + 2, close - eq - 2);
    i = close + 1;
  }
  return params;
}

AuthResult
SignatureVerifier::verify(const IncomingRequest& request, std::chrono::system_clock::time_point now) const
{
  AuthResult out;
  const auto fail = [&](std::string reason) {
    out.ok = false;
    out.reason = std::move(reason);
    return out;
  };
  const auto auth = header(request, "authorization");
  if (!auth) {
    return fail("no Authorization header");
  }
  const auto params = parse_signature_params(*auth);
  if (!params) {
    return fail("Authorization is not a Signature header");
  }
  const auto get = [&](const char* k) -> std::string {
    const auto it = params->find(k);
    return it == params->end() ? std::string() : it->second;
  };
  if (get("version") != "1") {
    return fail("signature version is not \"1\"");
  }
  if (get("algorithm") != "rsa-sha256") {
    return fail("algorithm is not rsa-sha256");
  }
  const auto key_id = get("keyId");
  const auto signature = decode_base64(get("signature"));
  if (!signature) {
    return fail("signature is not base64");
  }
  std::shared_ptr<Key> key;
  std::chrono::seconds max_skew{};
  {
    const std::lock_guard lock(m_mutex);
    const auto it = m_keys.find(key_id);
    if (it != m_keys.end()) {
      key = it->second;
    }
    max_skew = m_max_skew;
  }
  if (!key) {
    return fail("unknown keyId");
  }

  // The listed headers, in the order given.
  std::vector<std::string> names;
  {
    std::istringstream in(get("headers"));
    for (std::string n; in >> n;) {
      names.push_back(lower(n));
    }
  }
  if (names.empty()) {
    names.push_back("date"); // the draft's default
  }
  const auto listed = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  // What OCI insists on.
  std::vector<std::string> required = { "(request-target)", "host" };
  const bool has_x_date = header(request, "x-date").has_value();
  required.push_back(has_x_date && listed("x-date") ? "x-date" : "date");
  const bool body_method = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (body_method && !request.body_exempt) {
    required.insert(required.end(), { "content-length", "content-type", "x-content-sha256" });
  }
  for (const auto& r : required) {
    if (!listed(r)) {
      return fail("header " + r + " is not signed");
    }
  }

  std::string signing_string;
  for (const auto& n : names) {
    std::string value;
    if (n == "(request-target)") {
      value = lower(request.method) + " " + request.target;
    } else {
      auto v = header(request, n);
      if (!v) {
        return fail("signed header " + n + " is missing from the request");
      }
      value = *v;
    }
    if (!signing_string.empty()) {
      signing_string += "\n";
    }
    signing_string += n + ": " + value;
  }

  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool good = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key->pkey) == 1 &&
                    EVP_DigestVerify(ctx,
                                     reinterpret_cast<const unsigned char*>(signature->data()),
                                     signature->size(),
                                     reinterpret_cast<const unsigned char*>(signing_string.data()),
                                     signing_string.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  if (!good) {
    return fail("signature does not verify");
  }

  // Only a verified request is worth checking further.
  const auto date_text = header(request, listed("x-date") && has_x_date ? "x-date" : "date");
  const auto date = date_text ? parse_date(*date_text) : std::nullopt;
  if (!date) {
    return fail("date header is not an HTTP date");
  }
  const auto skew = std::chrono::abs(std::chrono::duration_cast<std::chrono::seconds>(now - *date));
  if (skew > max_skew) {
    return fail("date is " + std::to_string(skew.count()) + " s away from the server clock");
  }
  if (listed("x-content-sha256")) {
    const auto claimed = header(request, "x-content-sha256");
    if (!request.body_sha256) {
      return fail("x-content-sha256 is signed but the body was not read");
    }
    if (claimed != request.body_sha256) {
      return fail("x-content-sha256 does not match the body");
    }
  }
  out.ok = true;
  out.principal = key_id.rfind("ST$", 0) == 0 ? "session" : key_id;
  return out;
}

} // namespace ocne::test::oci
