#include "pkg/oci/digest.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/sha256.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace ocne::oci {

std::string
base64_encode(std::string_view bytes)
{
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string>
base64_decode(std::string_view text)
{
  if (text.size() % 4 != 0) {
    return make_error(ErrorKind::invalid_input, "not base64: length {} is not a multiple of 4", text.size());
  }
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return make_error(ErrorKind::invalid_input, "not base64");
  }
  // EVP_DecodeBlock counts padding as zero bytes.
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i) {
    --size;
  }
  out.resize(size);
  return out;
}

std::string
sha256_base64(std::string_view data)
{
  const Sha256Bytes digest = sha256(data);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Md5Digest
md5(std::string_view data)
{
  Md5Hasher h;
  h.update(data);
  return h.finish();
}

std::string
md5_base64(const Md5Digest& digest)
{
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string
hex_colon(std::string_view bytes)
{
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) {
      out += ':';
    }
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += k_hex[b >> 4];
    out += k_hex[b & 0xf];
  }
  return out;
}

std::string
multipart_md5(const std::vector<Md5Digest>& parts)
{
  Md5Hasher h;
  for (const auto& p : parts) {
    h.update(p.data(), p.size());
  }
  return md5_base64(h.finish()) + "-" + std::to_string(parts.size());
}

Md5Hasher::Md5Hasher() : m_ctx(EVP_MD_CTX_new())
{
  reset();
}

Md5Hasher::~Md5Hasher()
{
  EVP_MD_CTX_free(m_ctx);
}

Md5Hasher::Md5Hasher(Md5Hasher&& other) noexcept : m_ctx(other.m_ctx)
{
  other.m_ctx = nullptr;
}

Md5Hasher&
Md5Hasher::operator=(Md5Hasher&& other) noexcept
{
  if (this != &other) {
    EVP_MD_CTX_free(m_ctx);
    m_ctx = other.m_ctx;
    other.m_ctx = nullptr;
  }
  return *this;
}

void
Md5Hasher::update(const void* data, std::size_t size)
{
  EVP_DigestUpdate(m_ctx, data, size);
}

Md5Digest
Md5Hasher::finish()
{
  Md5Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_ctx, out.data(), &len);
  reset();
  return out;
}

void
Md5Hasher::reset()
{
  EVP_DigestInit_ex(m_ctx, EVP_md5(), nullptr);
}

Result<Md5Digest>
md5_file_range(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
  const fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return make_error(errno == ENOENT ? ErrorKind::not_found : ErrorKind::io, "{}: {}", path, fs::errno_message(errno));
  }
  constexpr std::size_t k_block = 1 << 20;
  const auto buffer = std::make_unique<char[]>(k_block);
  Md5Hasher h;
  std::uint64_t done = 0;
  while (done < length) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(k_block, length - done));
    const auto n = ::pread(fd.get(), buffer.get(), want, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return make_error(ErrorKind::io, "{}: {}", path, fs::errno_message(errno));
    }
    if (n == 0) {
      return make_error(
        ErrorKind::io, "{}: file is shorter than expected ({} bytes read at offset {})", path, done, offset);
    }
    h.update(buffer.get(), static_cast<std::size_t>(n));
    done += static_cast<std::uint64_t>(n);
  }
  return h.finish();
}

} // namespace ocne::oci
