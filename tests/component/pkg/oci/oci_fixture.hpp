#pragma once

// A test with its own OCI test server and a client signed with a key the
// server knows, in a fresh temp dir.

#include "pkg/oci/client.hpp"
#include "tests/servers/oci/file_md5.hpp"
#include "tests/servers/oci/oci_test_server.hpp"
#include "tests/servers/oci/test_keys.hpp"
#include "tests/support/temp_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>

namespace ocne::oci::test {

inline const std::string k_user = "ocid1.user.oc1..aaaaaaaaocnetestuser";

inline http::TransportOptions
fast_transport()
{
  auto o = default_transport_options();
  o.retry.initial_backoff = std::chrono::milliseconds(5);
  o.retry.max_backoff = std::chrono::milliseconds(50);
  o.retry.max_attempts = 6;
  return o;
}

class OciServerTest : public ::ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    ::ocne::test::oci::ServerOptions so = server_options();
    so.storage_dir = dir() / "server-data";
    server = std::make_unique<::ocne::test::oci::OciTestServer>(so);
    const auto& key = ::ocne::test::oci::shared_test_key();
    server->add_api_key(tenancy() + "/" + k_user + "/" + key.fingerprint, key.public_pem);
    server->start();
    client = make_client(key.private_pem, key.fingerprint);
  }

  virtual ::ocne::test::oci::ServerOptions
  server_options() const
  {
    ::ocne::test::oci::ServerOptions so;
    so.import_duration = std::chrono::milliseconds(300);
    return so;
  }

  std::string
  tenancy() const
  {
    return server_options().tenancy;
  }

  std::unique_ptr<Client>
  make_client(const std::string& private_pem,
              const std::string& fingerprint,
              http::TransportOptions t = fast_transport()) const
  {
    auto signer =
      Signer::from_api_key(Secret(private_pem), Secret(), { tenancy(), k_user, fingerprint }, "key file test.pem");
    if (!signer) {
      throw std::runtime_error(signer.error().message());
    }
    const auto url = server->url();
    return std::make_unique<Client>(*signer, Endpoints{ url, url, url }, std::move(t));
  }

  // A sparse file of `size` bytes with a distinct 4 KiB stamp every `stride`
  // bytes, so that parts differ and their order matters.
  std::string
  sparse_file(const std::string& name, std::uint64_t size, std::uint64_t stride = 4ULL << 20, char tag = 'a') const
  {
    const auto path = (dir() / name).string();
    const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      throw std::runtime_error("cannot create " + path);
    }
    for (std::uint64_t off = 0; off < size; off += stride) {
      std::string stamp = std::string(1, tag) + "-block-" + std::to_string(off) + "-";
      stamp.resize(std::min<std::uint64_t>(4096, size - off), static_cast<char>('0' + off / stride % 10));
      if (::pwrite(fd, stamp.data(), stamp.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(stamp.size())) {
        throw std::runtime_error("cannot write " + path);
      }
    }
    ::close(fd);
    return path;
  }

  std::unique_ptr<::ocne::test::oci::OciTestServer> server;
  std::unique_ptr<Client> client;
};

// Hex MD5 of a whole file, computed independently of pkg/oci.
using ::ocne::test::oci::file_md5_hex;

} // namespace ocne::oci::test
