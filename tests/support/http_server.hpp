#pragma once

// A loopback HTTP(S) server for tests, on 127.0.0.1 and a port picked at run
// time, with fault injection shared by every test server (OCI, Oxide,
// Kubernetes): error statuses with Retry-After, connections dropped
// mid-body, and slow answers.

#include "tests/support/fault_rules.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace ocne::test {

struct Fault
{
  enum class Kind {
    status,        // answer with `status` (and Retry-After when retry_after >= 0)
    drop_mid_body, // send headers and part of a body, then close the connection
    slow,          // wait `delay`, then handle the request normally
  };
  Kind kind = Kind::status;
  int status = 503;
  int retry_after = -1;
  std::chrono::milliseconds delay{ 0 };
  std::string body = R"({"code":"ServiceUnavailable","message":"injected fault"})";
};

using FaultInjector = FaultRules<Fault>;

class TestHttpServer
{
public:
  // Plain HTTP.
  TestHttpServer();
  // HTTPS with this certificate and key (PEM files on disk); client_ca_file
  // turns on client-certificate verification.
  TestHttpServer(const std::string& cert_file, const std::string& key_file, const std::string& client_ca_file = "");
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  // Register routes here before start().
  httplib::Server&
  routes()
  {
    return *m_server;
  }
  FaultInjector&
  faults()
  {
    return m_faults;
  }

  // Binds 127.0.0.1 on a free port and serves in a background thread.
  void start();
  void stop();
  int
  port() const
  {
    return m_port;
  }
  // "http://127.0.0.1:<port>" (or https).
  std::string url() const;
  // Requests seen so far (method and path), for assertions.
  int request_count() const;

private:
  void install_fault_hook();
  std::unique_ptr<httplib::Server> m_server;
  bool m_tls = false;
  std::thread m_thread;
  int m_port = 0;
  FaultInjector m_faults;
  std::atomic<int> m_requests{ 0 };
};

} // namespace ocne::test
