#include "pkg/pki/kubeconfig.hpp"

#include "pkg/pki/cluster_pki.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace ocne::pki {
namespace {

class KubeconfigTest : public test::TempDirTest
{};

TEST_F(KubeconfigTest, WritesPrivateFileWithEmbeddedCredentials)
{
  KubeconfigSpec spec;
  spec.server = server_url("127.0.0.1", 6443);
  spec.ca_pem = "CA PEM\n";
  spec.client_cert_pem = "CERT PEM\n";
  spec.client_key_pem = Secret("KEY PEM\n");
  const auto path = dir() / "sub" / "kubeconfig.test.local";
  ASSERT_TRUE(write_kubeconfig(path, spec));
  EXPECT_EQ(*fs::file_mode(path), 0600u);
  const auto doc = YAML::LoadFile(path.string());
  EXPECT_EQ(doc["current-context"].as<std::string>(), "kubernetes-admin@kubernetes");
  EXPECT_EQ(doc["clusters"][0]["cluster"]["server"].as<std::string>(), "https://127.0.0.1:6443");
  EXPECT_EQ(doc["clusters"][0]["cluster"]["certificate-authority-data"].as<std::string>(), "Q0EgUEVNCg==");
  EXPECT_EQ(doc["users"][0]["user"]["client-key-data"].as<std::string>(), "S0VZIFBFTQo=");
  EXPECT_EQ(doc["contexts"][0]["context"]["user"].as<std::string>(), "kubernetes-admin");
}

TEST_F(KubeconfigTest, Ipv6ServerIsBracketed)
{
  EXPECT_EQ(server_url("fd00::10", 6443), "https://[fd00::10]:6443");
  EXPECT_EQ(server_url("lb.example.com", 6443), "https://lb.example.com:6443");
}

TEST_F(KubeconfigTest, RenderedSecretIsRedactedWhenFormatted)
{
  KubeconfigSpec spec;
  spec.client_key_pem = Secret("KEY");
  EXPECT_EQ(fmt::format("{}", render_kubeconfig(spec)), "[redacted]");
}

} // namespace
} // namespace ocne::pki
