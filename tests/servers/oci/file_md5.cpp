#include "tests/servers/oci/file_md5.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <vector>

namespace ocne::test::oci {

std::string
file_md5_hex(const std::string& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_md5(), nullptr);
  std::vector<char> buf(1 << 20);
  ssize_t n = 0;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
    EVP_DigestUpdate(md, buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  unsigned char d[16];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md, d, &len);
  EVP_MD_CTX_free(md);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += k_hex[c >> 4];
    out += k_hex[c & 0xf];
  }
  return out;
}

} // namespace ocne::test::oci
