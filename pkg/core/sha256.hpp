#pragma once

// SHA-256, whole or streamed, for every place ocne checks or records a
// content hash (image digests, cached release files, backups, Oxide's
// content digest, OCI's x-content-sha256). One implementation, so a hash
// that two parts of ocne write is computed the same way.

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ocne {

using Sha256Bytes = std::array<unsigned char, 32>;

class Sha256Hasher
{
public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

  void update(std::string_view data);
  void update(std::span<const unsigned char> data);
  // The hash of everything passed to update(); the hasher starts over after.
  Sha256Bytes finish();
  std::string finish_hex();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

Sha256Bytes sha256(std::string_view data);
// Lower-case hex, 64 digits.
std::string sha256_hex(std::string_view data);
std::string to_hex(std::span<const unsigned char> bytes);

} // namespace ocne
