#include "pkg/upgrade/stage_checks.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::upgrade {
namespace {

std::string
refusal(const Status& s)
{
  return s ? std::string("ok") : s.error().message();
}

TEST(StageChecks, VersionsMustBeKnownMinors)
{
  EXPECT_TRUE(check_stage_version("1.34"));
  EXPECT_TRUE(check_stage_version("1.26"));
  EXPECT_EQ(refusal(check_stage_version("1.3")), "--version 1.3: not a Kubernetes minor version such as 1.34");
  EXPECT_EQ(refusal(check_stage_version("v1.34")), "--version v1.34: not a Kubernetes minor version such as 1.34");
  EXPECT_EQ(refusal(check_stage_version("1.34.1")), "--version 1.34.1: not a Kubernetes minor version such as 1.34");
  EXPECT_NE(refusal(check_stage_version("1.99")).find("--version 1.99: not a Kubernetes version ocne knows (1.26"),
            std::string::npos)
    << refusal(check_stage_version("1.99"));
}

TEST(StageChecks, OracleSkewTable)
{
  struct Row
  {
    std::vector<std::string> kubelets;
    std::string target;
    std::string answer;
  };
  const std::vector<Row> rows = {
    { { "v1.33.5+1.el8", "v1.33.5+1.el8" }, "1.33", "ok" },
    { { "v1.33.5+1.el8" }, "1.34", "ok" },
    { { "v1.33.5+1.el8" },
      "1.32",
      "cannot stage 1.32: the nodes run Kubernetes 1.33; stage 1.33 or 1.34 (one minor at a time)" },
    { { "v1.32.7+1.el8" },
      "1.34",
      "cannot stage 1.34: the nodes run Kubernetes 1.32; stage 1.32 or 1.33 (one minor at a time)" },
    { { "v1.33.5+1.el8", "v1.34.1+1.el8" }, "1.34", "ok" },
    { { "v1.33.5+1.el8", "v1.34.1+1.el8" },
      "1.33",
      "cannot stage 1.33: the nodes run Kubernetes 1.33 and 1.34; finish the update to 1.34 first (stage 1.34)" },
    { { "v1.31.9", "v1.33.5+1.el8" },
      "1.33",
      "the nodes run Kubernetes 1.31 to 1.33, more than one minor apart: update the older nodes first" },
    { { "", "garbage" }, "1.33", "no node reports a kubelet version: cannot check the version skew" },
  };
  for (const auto& row : rows) {
    EXPECT_EQ(refusal(check_stage_skew(row.kubelets, row.target)), row.answer) << row.target;
  }
}

TEST(StageChecks, KubeletMinorAndClusterApiNodes)
{
  EXPECT_EQ(kubelet_minor("v1.32.7+1.el8"), 32);
  EXPECT_EQ(kubelet_minor("1.34.1"), 34);
  EXPECT_EQ(kubelet_minor("v2.0.0"), std::nullopt);
  EXPECT_FALSE(managed_by_cluster_api({ { { "metadata", { { "name", "cp-1" } } } } }));
  EXPECT_TRUE(managed_by_cluster_api(
    { { { "metadata", { { "name", "a" } } } },
      { { "metadata", { { "name", "b" }, { "annotations", { { "cluster.x-k8s.io/machine", "m" } } } } } } }));
}

} // namespace
} // namespace ocne::upgrade
