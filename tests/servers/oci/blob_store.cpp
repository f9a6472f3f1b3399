#include "tests/servers/oci/blob_store.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace ocne::test::oci {

namespace {

constexpr std::size_t k_block = 64 * 1024;
constexpr std::size_t k_buffer = 1 << 20;

bool
all_zero(const char* p, std::size_t n)
{
  if (n == 0) {
    return true;
  }
  if (p[0] != 0) {
    return false;
  }
  return std::memcmp(p, p + 1, n - 1) == 0;
}

std::atomic<std::uint64_t> g_counter{ 0 };

} // namespace

Blob::~Blob()
{
  if (!file.empty()) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
  }
}

struct BlobWriter::Impl
{
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  int fd = -1;
  std::filesystem::path path;
  std::vector<char> buffer;
  std::uint64_t written = 0; // bytes flushed to the file position
  std::uint64_t size = 0;
  bool failed = false;
};

BlobWriter::BlobWriter(const std::filesystem::path& dir) : m_impl(std::make_unique<Impl>())
{
  EVP_DigestInit_ex(m_impl->md, EVP_md5(), nullptr);
  if (!dir.empty()) {
    m_impl->path = dir / ("blob-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++));
    m_impl->fd = ::open(m_impl->path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    m_impl->failed = m_impl->fd < 0;
    m_impl->buffer.reserve(k_buffer);
  }
}

BlobWriter::~BlobWriter()
{
  EVP_MD_CTX_free(m_impl->md);
  if (m_impl->fd >= 0) {
    ::close(m_impl->fd);
    std::error_code ec;
    std::filesystem::remove(m_impl->path, ec);
  }
}

bool
BlobWriter::write(const char* data, std::size_t size)
{
  EVP_DigestUpdate(m_impl->md, data, size);
  m_impl->size += size;
  if (m_impl->fd < 0) {
    return !m_impl->failed;
  }
  while (size > 0) {
    const auto n = std::min(size, k_buffer - m_impl->buffer.size());
    m_impl->buffer.insert(m_impl->buffer.end(), data, data + n);
    data += n;
    size -= n;
    if (m_impl->buffer.size() == k_buffer && !flush()) {
      return false;
    }
  }
  return true;
}

bool
BlobWriter::flush()
{
  auto& b = m_impl->buffer;
  for (std::size_t off = 0; off < b.size(); off += k_block) {
    const auto n = std::min(k_block, b.size() - off);
    if (all_zero(b.data() + off, n)) {
      continue; // leave a hole
    }
    const auto w = ::pwrite(m_impl->fd, b.data() + off, n, static_cast<off_t>(m_impl->written + off));
    if (w != static_cast<ssize_t>(n)) {
      m_impl->failed = true;
      return false;
    }
  }
  m_impl->written += b.size();
  b.clear();
  return true;
}

BlobPtr
BlobWriter::finish()
{
  auto blob = std::make_shared<Blob>();
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_impl->md, blob->md5.data(), &len);
  blob->size = m_impl->size;
  if (m_impl->fd >= 0) {
    if (flush() && ::ftruncate(m_impl->fd, static_cast<off_t>(m_impl->size)) == 0) {
      blob->file = m_impl->path;
    }
    ::close(m_impl->fd);
    m_impl->fd = -1;
  }
  return blob;
}

bool
read_blobs(const std::vector<BlobPtr>& blobs, const std::function<bool(const char*, std::size_t)>& sink)
{
  std::vector<char> buffer(k_buffer);
  for (const auto& b : blobs) {
    if (b->size > 0 && b->file.empty()) {
      return false;
    }
    if (b->size == 0) {
      continue;
    }
    const int fd = ::open(b->file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return false;
    }
    std::uint64_t done = 0;
    bool ok = true;
    while (done < b->size) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(k_buffer, b->size - done));
      const auto n = ::pread(fd, buffer.data(), want, static_cast<off_t>(done));
      if (n <= 0) {
        ok = false;
        break;
      }
      if (!sink(buffer.data(), static_cast<std::size_t>(n))) {
        ::close(fd);
        return true;
      }
      done += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::optional<std::string>
content_md5_hex(const std::vector<BlobPtr>& blobs)
{
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_md5(), nullptr);
  const bool ok = read_blobs(blobs, [&](const char* p, std::size_t n) {
    EVP_DigestUpdate(md, p, n);
    return true;
  });
  unsigned char digest[16];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md, digest, &len);
  EVP_MD_CTX_free(md);
  if (!ok) {
    return std::nullopt;
  }
  return to_hex(digest, 16);
}

std::string
to_base64(const unsigned char* data, std::size_t size)
{
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string
to_hex(const unsigned char* data, std::size_t size)
{
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += k_hex[data[i] >> 4];
    out += k_hex[data[i] & 0xf];
  }
  return out;
}

} // namespace ocne::test::oci
