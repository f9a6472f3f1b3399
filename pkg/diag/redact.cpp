#include "pkg/diag/redact.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <stdexcept>

namespace ocne::diag {

namespace {

struct CodeDeleter
{
  void
  operator()(pcre2_code* c) const
  {
    pcre2_code_free(c);
  }
};
struct MatchDataDeleter
{
  void
  operator()(pcre2_match_data* m) const
  {
    pcre2_match_data_free(m);
  }
};
using Code = std::unique_ptr<pcre2_code, CodeDeleter>;

Code
compile(const char* pattern, uint32_t options = 0)
{
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern),
                                   PCRE2_ZERO_TERMINATED,
                                   options | PCRE2_UTF | PCRE2_NO_UTF_CHECK,
                                   &error,
                                   &offset,
                                   nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(error, buffer, sizeof buffer);
    // The patterns are ours: a bad one is a bug.
    throw std::logic_error(
      fmt::format("redaction pattern {} at {}: {}", pattern, offset, reinterpret_cast<char*>(buffer)));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // best effort; the interpreter works too
  return Code(code);
}

bool
valid_ipv4(const std::string& s)
{
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) {
    return false;
  }
  // The unspecified and loopback addresses tell nothing about a site.
  return s != "0.0.0.0" && s.rfind("127.", 0) != 0;
}

bool
valid_ipv6(const std::string& s)
{
  in6_addr a{};
  if (inet_pton(AF_INET6, s.c_str(), &a) != 1) {
    return false;
  }
  // Clock times and MAC addresses are not addresses; "::" and "::1" are not sensitive.
  const bool compressed = s.find("::") != std::string::npos;
  const bool full = std::count(s.begin(), s.end(), ':') == 7;
  return (compressed || full) && s != "::" && s != "::1";
}

} // namespace

// One rule: a pattern, the capture group that holds the value (0: all of
// the match), its kind and an optional check of the value.
struct Rule
{
  Code code;
  int group;
  std::string kind;
  std::function<bool(const std::string&)> accept;
};

struct Redactor::Patterns
{
  std::vector<Rule> rules;
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> match{ pcre2_match_data_create(16, nullptr) };
};

Redactor::Redactor(std::vector<std::string> names) : m_patterns(std::make_unique<Patterns>()), m_names(std::move(names))
{
  auto& r = m_patterns->rules;
  // A PEM private key, also inside JSON strings where newlines are "\n".
  r.push_back(
    { compile(R"(-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----)"), 0, "PEM-KEY", {} });
  // kubeconfig credentials in YAML or JSON form.
  r.push_back(
    { compile(
        R"((?:client-key-data|client-certificate-data|token|password|client-secret)["']?\s*:\s*["']?([A-Za-z0-9+/=._~-]{6,}))",
        PCRE2_CASELESS),
      1,
      "CREDENTIAL",
      {} });
  r.push_back({ compile(R"(\bBearer\s+([A-Za-z0-9._~+/-]+=*))", PCRE2_CASELESS), 1, "TOKEN", {} });
  // JSON Web Tokens (service account tokens): header.payload.signature.
  r.push_back({ compile(R"(\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+)"), 0, "TOKEN", {} });
  r.push_back(
    { compile(
        R"(\b(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com)\s+(AAAA[A-Za-z0-9+/]+=*(?:[ \t]+[^\s"',\\]+)?))"),
      1,
      "SSH-KEY",
      {} });
  r.push_back(
    { compile(R"(\bocid1\.[a-z0-9_-]+\.[a-z0-9_-]*\.[a-z0-9_-]*(?:\.[a-z0-9_-]*)?\.[a-z0-9]+\b)"), 0, "OCID", {} });
  // OCI instance metadata, also JSON inside a string ("\"user_data\": \"...").
  r.push_back({ compile(R"(user_data\\?"\s*:\s*\\?"([A-Za-z0-9+/=]+))"), 1, "USER-DATA", {} });
  r.push_back({ compile(R"(Opc request id:\s*([A-Za-z0-9/._-]+))", PCRE2_CASELESS), 1, "REQUEST-ID", {} });
  r.push_back(
    { compile(
        R"((?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Za-z:]))"),
      0,
      "IPV6",
      valid_ipv6 });
  r.push_back({ compile(R"((?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9]|\.[0-9]))"), 0, "IPV4", valid_ipv4 });
  // Longest names first, so "node-10" is not taken for "node-1".
  std::sort(m_names.begin(), m_names.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  m_names.erase(std::remove(m_names.begin(), m_names.end(), std::string()), m_names.end());
}

Redactor::~Redactor() = default;

std::string
Redactor::replacement(const std::string& kind, const std::string& original)
{
  // One replacement per value, whichever rule found it first.
  if (const auto it = m_index.find(original); it != m_index.end()) {
    return m_list[it->second].replacement;
  }
  auto text = fmt::format("REDACTED-{}-{}", kind, ++m_counts[kind]);
  m_index[original] = m_list.size();
  m_list.push_back({ text, kind, original });
  return text;
}

std::string
Redactor::redact(std::string_view input)
{
  std::string text(input);
  auto* md = m_patterns->match.get();
  for (auto& rule : m_patterns->rules) {
    std::string out;
    PCRE2_SIZE start = 0;
    std::size_t copied = 0;
    while (start <= text.size()) {
      const int rc = pcre2_match(rule.code.get(),
                                 reinterpret_cast<PCRE2_SPTR>(text.data()),
                                 text.size(),
                                 start,
                                 PCRE2_NO_UTF_CHECK,
                                 md,
                                 nullptr);
      if (rc < 0) {
        break;
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      const auto begin = ov[2 * rule.group];
      const auto end = ov[2 * rule.group + 1];
      const auto match_end = ov[1];
      if (begin != PCRE2_UNSET && end > begin) {
        const std::string value = text.substr(begin, end - begin);
        if (!rule.accept || rule.accept(value)) {
          out.append(text, copied, begin - copied);
          out += replacement(rule.kind, value);
          copied = end;
        }
      }
      start = match_end > ov[0] ? match_end : ov[0] + 1;
    }
    if (copied > 0) {
      out.append(text, copied, std::string::npos);
      text = std::move(out);
    }
  }
  for (const auto& name : m_names) {
    std::string out;
    std::size_t copied = 0;
    // Whole names, also inside dashed names (a static pod's name ends in its
    // node's), but not inside longer words ("cp-1" in "kcp-1" or "cp-10").
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
    for (auto pos = text.find(name); pos != std::string::npos; pos = text.find(name, pos + name.size())) {
      const bool left = pos == 0 || (!alnum(text[pos - 1]) && text[pos - 1] != '.');
      const auto after = pos + name.size();
      const bool right = after >= text.size() || !alnum(text[after]);
      if (left && right) {
        out.append(text, copied, pos - copied);
        out += replacement("NODE", name);
        copied = after;
      }
    }
    if (copied > 0) {
      out.append(text, copied, std::string::npos);
      text = std::move(out);
    }
  }
  return text;
}

std::string
Redactor::map_csv() const
{
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
      return s;
    }
    std::string q = "\"";
    for (const char c : s) {
      q += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return q + "\"";
  };
  std::string out = "replacement,kind,original\n";
  for (const auto& r : m_list) {
    out += quote(r.replacement) + "," + quote(r.kind) + "," + quote(r.original) + "\n";
  }
  return out;
}

} // namespace ocne::diag
