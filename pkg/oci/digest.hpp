#pragma once

// Hashes and encodings OCI needs: base64, SHA-256 (x-content-sha256), MD5
// (Content-MD5, opc-content-md5, opc-multipart-md5). OpenSSL stays out of
// this header.

#include "pkg/core/error.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct evp_md_ctx_st;

namespace ocne::oci {

using Md5Digest = std::array<unsigned char, 16>;

// Standard alphabet, with padding, on one line.
std::string base64_encode(std::string_view bytes);
// Accepts padded standard base64; fails on anything else.
Result<std::string> base64_decode(std::string_view text);

std::string sha256_base64(std::string_view data);
Md5Digest md5(std::string_view data);
std::string md5_base64(const Md5Digest& digest);
// "73:61:a2:..." (lowercase hex pairs joined by ':').
std::string hex_colon(std::string_view bytes);

// OCI's multipart checksum: base64(MD5(the raw part MD5s concatenated in part
// order)) + "-" + the number of parts.
std::string multipart_md5(const std::vector<Md5Digest>& parts);

// Incremental MD5.
class Md5Hasher
{
public:
  Md5Hasher();
  ~Md5Hasher();
  Md5Hasher(Md5Hasher&& other) noexcept;
  Md5Hasher& operator=(Md5Hasher&& other) noexcept;
  Md5Hasher(const Md5Hasher&) = delete;
  Md5Hasher& operator=(const Md5Hasher&) = delete;

  void update(const void* data, std::size_t size);
  void
  update(std::string_view data)
  {
    update(data.data(), data.size());
  }
  // The digest of everything since construction or the last reset().
  Md5Digest finish();
  void reset();

private:
  evp_md_ctx_st* m_ctx = nullptr;
};

// MD5 of length bytes of a file from offset, read with pread in 1 MiB blocks.
Result<Md5Digest> md5_file_range(const std::string& path, std::uint64_t offset, std::uint64_t length);

} // namespace ocne::oci
