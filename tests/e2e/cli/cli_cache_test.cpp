#include "pkg/core/cluster_cache.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::test {
namespace {

class CliCacheTest : public TempDirTest
{
protected:
  void
  SetUp() override
  {
    // The cache as ocne writes it, plus what we track.
    write(".ocne/clusters.yaml",
          "clusters:\n"
          "  zeta:\n"
          "    config:\n"
          "      name: zeta\n"
          "      provider: oci\n"
          "      providers:\n"
          "        oci:\n"
          "          compartment: ocid1.compartment.oc1..c\n"
          "    kubeconfig: /home/u/.kube/kubeconfig.zeta\n"
          "  alpha:\n"
          "    config:\n"
          "      name: alpha\n"
          "      provider: libvirt\n"
          "      applications:\n"
          "        - name: app\n"
          "    kubeconfig: /home/u/.kube/kubeconfig.alpha.local\n",
          0600);
  }
};

TEST_F(CliCacheTest, ListPrintsNamesSortedAndAsJson)
{
  auto r = run_ocne({ "cluster", "list" }, dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "alpha\nzeta\n");
  r = run_ocne({ "cluster", "ls", "-o", "json" }, dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("name": "zeta")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("provider": "oci")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("kubeconfig": "/home/u/.kube/kubeconfig.alpha.local")"), std::string::npos) << r.out;
}

TEST_F(CliCacheTest, ShowPrintsTheKubeconfigByDefault)
{
  const auto r = run_ocne({ "cluster", "show", "-C", "alpha" }, dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/home/u/.kube/kubeconfig.alpha.local\n");
}

TEST_F(CliCacheTest, ShowFieldWalksCaseInsensitivelyAndIndexesLists)
{
  auto r = run_ocne({ "cluster", "show", "-C", "zeta", "-f", "config.Providers.OCI.compartment" }, dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ocid1.compartment.oc1..c\n");
  r = run_ocne({ "cluster", "show", "-C", "alpha", "-f", "config.applications.0.name" }, dir());
  EXPECT_EQ(r.out, "app\n");
  r = run_ocne({ "cluster", "show", "-C", "alpha", "-f", "config.nope" }, dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: cluster 'alpha': field 'config.nope' does not exist\n");
}

TEST_F(CliCacheTest, ShowAllPrintsTheRecord)
{
  const auto r = run_ocne({ "cluster", "show", "-C", "zeta", "-a" }, dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("config:\n  name: zeta\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kubeconfig: /home/u/.kube/kubeconfig.zeta"), std::string::npos) << r.out;
}

TEST_F(CliCacheTest, ShowUnknownCluster)
{
  const auto r = run_ocne({ "cluster", "show", "-C", "nope" }, dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: cluster 'nope' does not exist (known clusters: alpha, zeta)\n");
}

TEST_F(CliCacheTest, EmptyCache)
{
  std::filesystem::remove(dir() / ".ocne/clusters.yaml");
  const auto r = run_ocne({ "cluster", "list" }, dir());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  const auto show = run_ocne({ "cluster", "show" }, dir());
  EXPECT_EQ(show.err, "ocne: error: cluster 'ocne' does not exist (known clusters: none)\n");
}

TEST_F(CliCacheTest, CorruptCacheNamesTheFile)
{
  write(".ocne/clusters.yaml", "clusters: [\n", 0600);
  const auto r = run_ocne({ "cluster", "list" }, dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("ocne: error: " + (dir() / ".ocne/clusters.yaml").string() + ":", 0), 0U) << r.err;
}

} // namespace
} // namespace ocne::test
