#pragma once

// A running Oxide test server and a client pointed at it, for pkg/oxide tests.

#include "pkg/oxide/client.hpp"
#include "tests/servers/oxide/oxide_server.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::oxide::test {

class OxideFixture : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_SHARED();
    ocne::test::OxideServerOptions options;
    options.storage_dir = dir();
    options.default_page_limit = 3;
    customize(options);
    m_server = std::make_unique<ocne::test::OxideServer>(options);
    m_server->start();
    m_client = std::make_unique<Client>(client_options());
  }

  void
  TearDown() override
  {
    if (m_server) {
      // Our client never sends what Oxide's spec does not allow.
      EXPECT_EQ(m_server->violations(), std::vector<std::string>{});
    }
  }

  virtual void
  customize(ocne::test::OxideServerOptions&)
  {
  }

  ClientOptions
  client_options(const std::string& token = "oxide-token-test") const
  {
    ClientOptions o;
    o.host = m_server->url();
    o.token = Secret(token);
    o.page_limit = 2;
    o.retry.initial_backoff = std::chrono::milliseconds(5);
    o.retry.max_backoff = std::chrono::milliseconds(50);
    o.timeout = std::chrono::milliseconds(20000);
    return o;
  }

  std::unique_ptr<ocne::test::OxideServer> m_server;
  std::unique_ptr<Client> m_client;
};

} // namespace ocne::oxide::test
