#pragma once

// A small HTTP/1.1 server over OpenSSL for the Kubernetes test server: one
// thread per connection, keep-alive, chunked streaming (watch), client
// certificates, and the hooks fault injection needs (reset a connection,
// drop it mid-body, drop every open connection at once).
//
// It is ours rather than cpp-httplib because Debian ships httplib only as a
// shared library, and the standalone server must link statically to run in
// a VM's initramfs; it also needs long-lived streams that notice a client
// going away.

#include "tests/servers/kube/websocket.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace ocne::test::kube {

struct HttpRequest
{
  std::string method;
  std::string target;                                       // as sent: "/api/v1/pods?watch=1"
  std::string path;                                         // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;   // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers; // names in lower case
  std::string body;
  std::string remote_address;
  // TLS client certificate, when one was presented and verified.
  bool client_verified = false;
  std::string client_cn;
  std::vector<std::string> client_orgs;

  // First header with this name (any case), or "".
  std::string header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
};

// Writes a streamed (chunked) body.
class StreamWriter
{
public:
  virtual ~StreamWriter() = default;
  // Sends one chunk; false when the client is gone.
  virtual bool write(std::string_view chunk) = 0;
  // True when the peer closed the connection or the server is stopping.
  virtual bool closed() = 0;
  // Ends the stream by closing the connection without the final chunk.
  virtual void abort() = 0;
};

struct HttpResponse
{
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is chunked and written by this callback.
  std::function<void(StreamWriter&)> stream;
  enum class Abort {
    none,
    reset,         // close the connection (RST) without answering
    drop_mid_body, // send the headers and part of the body, then close
  };
  Abort abort = Abort::none;
  bool close = false; // "Connection: close" after this response
  // With status 101: the connection is handed over after the head.
  std::function<void(RawConnection&)> upgrade;

  void set_header(std::string name, std::string value);
};

struct TlsFiles
{
  std::string cert_pem;      // serving certificate (and chain)
  std::string key_pem;       // its private key
  std::string client_ca_pem; // verify client certificates against this (optional)
};

class HttpsServer
{
public:
  using Handler = std::function<void(const HttpRequest&, HttpResponse&)>;

  // Empty cert_pem serves plain HTTP.
  HttpsServer(TlsFiles tls, Handler handler);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds (port 0 = any free port) and serves in a background thread.
  // Throws std::runtime_error when the address cannot be bound.
  void start(const std::string& address, int port);
  void stop();
  int
  port() const
  {
    return m_port;
  }
  bool
  tls() const
  {
    return m_ssl_ctx != nullptr;
  }
  // Closes every open connection at once (as if the network dropped).
  void drop_connections();
  int open_connections() const;

  struct Connection; // one client connection (defined in the .cpp)

private:
  void accept_loop();
  void serve(const std::shared_ptr<Connection>& conn);
  void reap(bool all);

  Handler m_handler;
  void* m_ssl_ctx = nullptr; // SSL_CTX*
  int m_listen_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stopping{ false };
  std::thread m_accept_thread;
  mutable std::mutex m_mutex;
  std::vector<std::pair<std::shared_ptr<Connection>, std::thread>> m_connections;
};

} // namespace ocne::test::kube
