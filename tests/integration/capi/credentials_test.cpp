#include "providers/capi/credentials.hpp"

#include "pkg/core/log.hpp"
#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::providers::capi {
namespace {

class OxideCredentialsTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    test::kube::ServerOptions so;
    so.kubeconfig_path = dir() / "management";
    server = std::make_unique<test::kube::KubeTestServer>(so);
    server->start();
    auto access = k8s::load_kubeconfig({ dir() / "management" });
    ASSERT_TRUE(access) << access.error().message();
    client = std::make_unique<k8s::Client>(std::move(*access));
    server->create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "ocne" } } } });
  }

  std::unique_ptr<test::kube::KubeTestServer> server;
  std::unique_ptr<k8s::Client> client;
};

TEST_F(OxideCredentialsTest, CreatedOnceUpdatedWhenTheTokenChangesAndNeverLogged)
{
  OxideCredentials c{ "ocne", "demo-oxide-credentials", "demo", "https://silo.example", Secret("oxide-token-1") };
  std::vector<std::string> logged;
  log::set_level(log::Level::trace);
  log::set_sink([&](const log::Record& r) { logged.emplace_back(r.message); });
  auto first = ensure_oxide_credentials(*client, c);
  server->clear_requests();
  auto second = ensure_oxide_credentials(*client, c);
  const int writes_of_second = test::kube::write_requests(*server);
  c.token = Secret("oxide-token-2");
  auto rotated = ensure_oxide_credentials(*client, c);
  log::set_sink({});
  log::set_level(log::Level::info);

  ASSERT_TRUE(first && second && rotated);
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  EXPECT_EQ(writes_of_second, 0);
  EXPECT_TRUE(*rotated);
  const auto secret = server->get("v1", "Secret", "ocne", "demo-oxide-credentials");
  ASSERT_TRUE(secret);
  EXPECT_EQ(k8s::base64_decode((*secret)["data"]["oxide-host"].get<std::string>()), "https://silo.example");
  EXPECT_EQ(k8s::base64_decode((*secret)["data"]["oxide-token"].get<std::string>()), "oxide-token-2");
  EXPECT_EQ((*secret)["metadata"]["labels"]["cluster.x-k8s.io/cluster-name"], "demo");
  for (const auto& line : logged) {
    EXPECT_EQ(line.find("oxide-token-"), std::string::npos) << line;
    EXPECT_EQ(line.find(k8s::base64_encode("oxide-token-1")), std::string::npos) << line;
  }
}

TEST_F(OxideCredentialsTest, AMissingNamespaceIsAnErrorWithoutTheToken)
{
  OxideCredentials c{ "nowhere", "demo-oxide-credentials", "demo", "https://silo.example", Secret("oxide-token-9") };
  auto r = ensure_oxide_credentials(*client, c);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().starts_with("cannot write Secret nowhere/demo-oxide-credentials: ")) << r.error().message();
  EXPECT_EQ(r.error().message().find("oxide-token-9"), std::string::npos);
  EXPECT_EQ(r.error().message().find(k8s::base64_encode("oxide-token-9")), std::string::npos);
}

} // namespace
} // namespace ocne::providers::capi
