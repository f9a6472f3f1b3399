#include "pkg/core/cluster_cache.hpp"

#include "pkg/core/fs.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne {
namespace {

class ClusterCacheTest : public test::TempDirTest
{};

TEST_F(ClusterCacheTest, MissingFileIsEmpty)
{
  const auto cache = ClusterCache::load(dir() / "clusters.yaml");
  ASSERT_TRUE(cache);
  EXPECT_TRUE(cache->clusters().empty());
}

TEST_F(ClusterCacheTest, RoundTripsOcneFormatPlusTracking)
{
  const StateDir state(dir() / ".ocne");
  ASSERT_TRUE(ClusterCache::update(state, [](ClusterCache& cache) -> Status {
    ClusterRecord r;
    r.name = "demo";
    r.kubeconfig = "/home/u/.kube/kubeconfig.demo.local";
    r.config_yaml = "name: demo\nprovider: libvirt\nworkerNodes: 2\n";
    r.resources.push_back({ "libvirt", "domain", "demo-control-plane-1", "demo-control-plane-1" });
    r.state["step"] = "nodes-created";
    return cache.add(std::move(r));
  }));
  EXPECT_EQ(*fs::file_mode(state.clusters_file()), 0600U);

  const auto text = *fs::read_file(state.clusters_file());
  EXPECT_NE(text.find("clusters:\n  demo:\n    config:\n      name: demo"), std::string::npos) << text;

  auto cache = ClusterCache::load(state.clusters_file());
  ASSERT_TRUE(cache);
  const auto* demo = cache->find("demo");
  ASSERT_NE(demo, nullptr);
  EXPECT_EQ(demo->kubeconfig, "/home/u/.kube/kubeconfig.demo.local");
  EXPECT_NE(demo->config_yaml.find("workerNodes: 2"), std::string::npos);
  ASSERT_EQ(demo->resources.size(), 1U);
  EXPECT_EQ(demo->resources[0].kind, "domain");
  EXPECT_EQ(demo->state.at("step"), "nodes-created");
}

TEST_F(ClusterCacheTest, AddRefusesDuplicates)
{
  ClusterCache cache = *ClusterCache::load(dir() / "c.yaml");
  ASSERT_TRUE(cache.add({ "demo", "", "", {}, {} }));
  const auto again = cache.add({ "demo", "", "", {}, {} });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(), "a cluster named 'demo' already exists");
  EXPECT_TRUE(cache.remove("demo"));
  EXPECT_FALSE(cache.remove("demo"));
}

TEST_F(ClusterCacheTest, MalformedFileNamesFileAndLine)
{
  const auto file = write("clusters.yaml", "clusters:\n  demo:\n    config: [unclosed\n");
  const auto cache = ClusterCache::load(file);
  ASSERT_FALSE(cache);
  EXPECT_EQ(cache.error().message().rfind(file.string() + ":", 0), 0U) << cache.error().message();
}

TEST_F(ClusterCacheTest, ReadsOcneWrittenCache)
{
  // The shape Oracle's ocne writes (with its *fake companion keys).
  const auto file = write("clusters.yaml",
                          "clusters:\n"
                          "  ocne:\n"
                          "    config:\n"
                          "      name: ocne\n"
                          "      provider: libvirt\n"
                          "      headlessfake: false\n"
                          "    kubeconfig: /root/.kube/kubeconfig.ocne.local\n");
  const auto cache = ClusterCache::load(file);
  ASSERT_TRUE(cache) << cache.error().message();
  ASSERT_NE(cache->find("ocne"), nullptr);
  EXPECT_EQ(cache->find("ocne")->kubeconfig, "/root/.kube/kubeconfig.ocne.local");
}

} // namespace
} // namespace ocne
