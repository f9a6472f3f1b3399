#include "providers/oxide/credentials_secret.hpp"

#include "pkg/core/log.hpp"
#include "pkg/k8s/base64.hpp"
#include "tests/component/providers/capi/management.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::providers::oxide {
namespace {

class OxideCredentialsTest : public capi::test_support::ManagementClusterTest
{
protected:
  void
  SetUp() override
  {
    start_management();
  }
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
  EXPECT_EQ((*secret)["metadata"]["labels"]["clusterctl.cluster.x-k8s.io/move"], "");
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
  EXPECT_TRUE(r.error().message().starts_with("cannot write Secret nowhere/demo-oxide-credentials: "))
    << r.error().message();
  EXPECT_EQ(r.error().message().find("oxide-token-9"), std::string::npos);
  EXPECT_EQ(r.error().message().find(k8s::base64_encode("oxide-token-9")), std::string::npos);
}

} // namespace
} // namespace ocne::providers::oxide
