#include "tests/servers/oxide/block_store.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ocne::test {

namespace {

constexpr std::uint64_t k_chunk = 512 * 1024;

bool
zeros(const std::string& data)
{
  for (const char c : data) {
    if (c != 0) {
      return false;
    }
  }
  return true;
}

void
put_be64(unsigned char* out, std::uint64_t v)
{
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<unsigned char>(v >> (56 - 8 * i));
  }
}

std::string
hex(const unsigned char* data, std::size_t n)
{
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>>
regions(int fd, std::uint64_t file_size)
{
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  off_t pos = 0;
  const auto end = static_cast<off_t>(file_size);
  while (pos < end) {
    const off_t data = ::lseek(fd, pos, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) {
        break;
      }
      return { { 0, file_size } }; // no SEEK_DATA: treat everything as data
    }
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0 || hole > end) {
      hole = end;
    }
    out.emplace_back(static_cast<std::uint64_t>(data), static_cast<std::uint64_t>(hole));
    pos = hole;
  }
  return out;
}

std::string
pread_all(int fd, std::uint64_t offset, std::size_t length)
{
  std::string out(length, '\0');
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break; // past the end: the rest stays zero
    }
    done += static_cast<std::size_t>(n);
  }
  return out;
}

} // namespace

std::string
sparse_digest(int fd, std::uint64_t file_size, std::uint64_t size)
{
  EVP_MD_CTX* total = EVP_MD_CTX_new();
  EVP_DigestInit_ex(total, EVP_sha256(), nullptr);
  const std::string header = "ocne-sparse-sha256-v1\n";
  EVP_DigestUpdate(total, header.data(), header.size());
  unsigned char be[8];
  put_be64(be, size);
  EVP_DigestUpdate(total, be, 8);
  // Chunks touched by a data region, in order, each once.
  std::uint64_t next = 0;
  for (const auto& [begin, end] : regions(fd, std::min(file_size, size))) {
    for (std::uint64_t chunk = std::max(next, begin / k_chunk * k_chunk); chunk < end && chunk < size;
         chunk += k_chunk) {
      const auto length = static_cast<std::size_t>(std::min(k_chunk, size - chunk));
      const std::string data =
        pread_all(fd,
                  chunk,
                  static_cast<std::size_t>(std::min<std::uint64_t>(length, file_size > chunk ? file_size - chunk : 0)));
      next = chunk + k_chunk;
      if (zeros(data)) {
        continue;
      }
      std::string padded = data;
      padded.resize(length, '\0');
      unsigned char chunk_digest[EVP_MAX_MD_SIZE];
      unsigned int chunk_len = 0;
      EVP_Digest(padded.data(), padded.size(), chunk_digest, &chunk_len, EVP_sha256(), nullptr);
      put_be64(be, chunk);
      EVP_DigestUpdate(total, be, 8);
      EVP_DigestUpdate(total, chunk_digest, chunk_len);
    }
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  EVP_DigestFinal_ex(total, out, &out_len);
  EVP_MD_CTX_free(total);
  return "sparse-sha256:" + hex(out, out_len);
}

BlockStore::BlockStore(const std::filesystem::path& dir, std::uint64_t size) : m_size(size)
{
  std::string templ = (dir / "oxide-disk-XXXXXX").string();
  m_fd = ::mkstemp(templ.data());
  if (m_fd < 0) {
    throw std::runtime_error("oxide test server: cannot create a disk file in " + dir.string() + ": " +
                             std::strerror(errno));
  }
  ::unlink(templ.c_str()); // gone from the folder; freed when the last store closes it
  if (::ftruncate(m_fd, static_cast<off_t>(size)) != 0) {
    ::close(m_fd);
    throw std::runtime_error(std::string("oxide test server: cannot size a disk file: ") + std::strerror(errno));
  }
}

BlockStore::~BlockStore()
{
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

void
BlockStore::write(std::uint64_t offset, std::string_view data)
{
  bool zero = true;
  for (const char c : data) {
    if (c != 0) {
      zero = false;
      break;
    }
  }
  if (zero) {
    // Keep the file sparse; the range reads as zeros either way.
    if (::fallocate(m_fd,
                    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    static_cast<off_t>(offset),
                    static_cast<off_t>(data.size())) == 0) {
      return;
    }
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(m_fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      throw std::runtime_error(std::string("oxide test server: disk write failed: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

std::string
BlockStore::read(std::uint64_t offset, std::size_t length) const
{
  return pread_all(m_fd, offset, length);
}

std::vector<std::pair<std::uint64_t, std::uint64_t>>
BlockStore::data_regions() const
{
  return regions(m_fd, m_size);
}

std::string
BlockStore::digest() const
{
  return sparse_digest(m_fd, m_size, m_size);
}

} // namespace ocne::test
