#pragma once

// Content digests ("sha256:<64 hex digits>") and a streaming SHA-256, so
// every manifest and blob is checked against the digest that names it.

#include "pkg/core/error.hpp"

#include <memory>
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

class Sha256
{
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::string_view data);
  // The digest of everything passed to update(); the hasher starts over after.
  Digest finish();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

Digest sha256_of(std::string_view data);

} // namespace ocne::image
