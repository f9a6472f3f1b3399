#pragma once

// Where the test server keeps object and part bytes. Multi-GiB uploads of
// mostly-empty images must not cost multi-GiB of disk or RAM, so blocks that
// are all zero are not written (the files stay sparse), and with no storage
// folder at all only sizes and MD5s are kept.

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test::oci {

using Md5 = std::array<unsigned char, 16>;

// Bytes received for one object or part.
struct Blob
{
  std::uint64_t size = 0;
  Md5 md5{};
  std::filesystem::path file; // empty when content is not kept

  ~Blob();
  Blob() = default;
  Blob(const Blob&) = delete;
  Blob& operator=(const Blob&) = delete;
};
using BlobPtr = std::shared_ptr<Blob>;

// Receives one body in pieces.
class BlobWriter
{
public:
  // dir empty: digest only.
  explicit BlobWriter(const std::filesystem::path& dir);
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  bool write(const char* data, std::size_t size);
  // The finished blob (the writer is spent).
  BlobPtr finish();

private:
  bool flush();
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Streams the content of blobs in order; false from sink stops. Returns false
// when content was not kept.
bool read_blobs(const std::vector<BlobPtr>& blobs, const std::function<bool(const char*, std::size_t)>& sink);

// Hex MD5 of the concatenated content, or nullopt when content was not kept.
std::optional<std::string> content_md5_hex(const std::vector<BlobPtr>& blobs);

std::string to_base64(const unsigned char* data, std::size_t size);
std::string to_hex(const unsigned char* data, std::size_t size);

} // namespace ocne::test::oci
