#pragma once

// Content digests ("sha256:<64 hex digits>") and a streaming SHA-256, so
// every manifest and blob is checked against the digest that names it.

#include "pkg/core/error.hpp"
#include "pkg/core/sha256.hpp"

#include <string>
#include <string_view>

namespace ocne::image {

struct Digest
{
  std::string algorithm; // "sha256"
  std::string hex;       // lower-case hex

  // "sha256:<hex>".
  std::string str() const;
  // "sha256:<first 12 hex digits>", for messages.
  std::string brief() const;
  bool operator==(const Digest&) const = default;
};

// Parses "sha256:<64 lower-case hex>". Other algorithms are refused: OCK
// images and the registries that serve them use sha256 only.
Result<Digest> parse_digest(std::string_view text);

// A streaming SHA-256 whose result is a Digest.
class Sha256
{
public:
  void
  update(std::string_view data)
  {
    m_hasher.update(data);
  }
  // The digest of everything passed to update(); the hasher starts over after.
  Digest
  finish()
  {
    return Digest{ "sha256", m_hasher.finish_hex() };
  }

private:
  Sha256Hasher m_hasher;
};

Digest sha256_of(std::string_view data);

} // namespace ocne::image
