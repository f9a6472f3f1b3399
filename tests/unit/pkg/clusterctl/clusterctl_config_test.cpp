#include "pkg/clusterctl/clusterctl_config.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::clusterctl {
namespace {

class ClusterctlConfigTest : public test::TempDirTest
{};

TEST_F(ClusterctlConfigTest, ReadsProvidersImagesFolderAndVariables)
{
  const std::string text = R"(providers:
  - name: kubeadm
    url: https://mirror.example/kubeadm/releases/v1.10.9/bootstrap-components.yaml
    type: BootstrapProvider
cert-manager:
  url: /srv/cert-manager/v1.19.5/cert-manager.yaml
  version: v1.19.5
images:
  all:
    repository: mirror.example/k8s
  cert-manager:
    tag: v1.19.5
overridesFolder: /srv/overrides
EXP_MACHINE_POOL: "false"
lowercase: ignored
)";
  auto config = parse_clusterctl_config(text, "clusterctl.yaml");
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_EQ(config->providers.size(), 1u);
  EXPECT_EQ(config->overrides_folder, "/srv/overrides");
  EXPECT_EQ(config->variables.at("EXP_MACHINE_POOL"), "false");
  EXPECT_FALSE(config->variables.contains("lowercase"));

  const auto cert_manager = clusterctl::cert_manager(oracle_cert_manager_images());
  const auto bootstrap = oracle_bootstrap();
  ASSERT_EQ(bootstrap.label, "bootstrap-kubeadm");
  EXPECT_TRUE(config->provider_for(bootstrap));
  EXPECT_FALSE(config->provider_for(oracle_core()));
  EXPECT_EQ(config->provider_for(cert_manager)->url, "/srv/cert-manager/v1.19.5/cert-manager.yaml");
  const auto rules = config->images_for(cert_manager);
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].repository, "mirror.example/k8s");
  EXPECT_EQ(rules[1].tag, "v1.19.5");
}

TEST_F(ClusterctlConfigTest, BrokenEntriesNameTheFile)
{
  auto config = parse_clusterctl_config("providers:\n  - name: x\n", "/home/u/.cluster-api/clusterctl.yaml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            "/home/u/.cluster-api/clusterctl.yaml: every providers entry needs name, url and type");
}

TEST_F(ClusterctlConfigTest, FindsTheXdgFolderElseTheLegacyOne)
{
  auto env = Environment::from_map({ { "HOME", dir().string() } });
  EXPECT_EQ(clusterctl_config_dir(env), dir() / ".config" / "cluster-api");
  write(".cluster-api/clusterctl.yaml", "EXP_RUNTIME_SDK: \"true\"\n");
  EXPECT_EQ(clusterctl_config_dir(env), dir() / ".cluster-api");
  auto loaded = load_clusterctl_config(env);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->variables.at("EXP_RUNTIME_SDK"), "true");
  write("xdg/cluster-api/clusterctl.yaml", "A: b\n");
  env.set("XDG_CONFIG_HOME", (dir() / "xdg").string());
  EXPECT_EQ(clusterctl_config_dir(env), dir() / "xdg" / "cluster-api");
}

} // namespace
} // namespace ocne::clusterctl
