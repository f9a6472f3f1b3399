#pragma once

// Redaction of what a dump must not carry: IPv4 and IPv6 addresses, OCIDs,
// SSH public keys, bearer tokens and service-account JWTs, PEM private keys,
// kubeconfig credentials (client-key-data, client-certificate-data, token,
// password), OCI user_data and request ids, and given names (node names).
//
// Each distinct value gets one replacement, REDACTED-<KIND>-<n>, numbered in
// the order values are first seen, so the same address reads the same in
// every file of a dump and nothing of the value can be recovered from its
// replacement. The map back to the values is kept in memory for the
// optional redaction map.

#include "pkg/core/error.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::diag {

struct Redaction
{
  std::string replacement;
  std::string kind;
  std::string original;
};

class Redactor
{
public:
  // names: exact words to redact as NODE (node names, host names).
  explicit Redactor(std::vector<std::string> names = {});
  ~Redactor();
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  std::string redact(std::string_view text);
  // Every replacement made so far, in first-seen order.
  const std::vector<Redaction>&
  redactions() const
  {
    return m_list;
  }
  // "replacement,kind,original" lines with a header (RFC 4180 quoting).
  std::string map_csv() const;

private:
  std::string replacement(const std::string& kind, const std::string& original);

  struct Patterns;
  std::unique_ptr<Patterns> m_patterns;
  std::vector<std::string> m_names;
  std::map<std::string, std::size_t> m_index; // original -> m_list index
  std::map<std::string, int> m_counts;
  std::vector<Redaction> m_list;
};

} // namespace ocne::diag
