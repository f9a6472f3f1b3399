// The planning of `cluster upgrade` (providers/capi/upgrade_plan.hpp): hops
// and the skew rules, as tables.

#include "providers/capi/upgrade_plan.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::capi {
namespace {

const std::vector<std::string> k_known{ "1.30", "1.31", "1.32", "1.33", "1.34" };

struct Row
{
  const char* name;
  std::string control_plane;
  std::vector<std::string> kubelets;
  std::string target;
  std::vector<std::string> hops; // expected when refused is empty
  std::string refused;           // a part of the refusal
};

TEST(UpgradePlan, HopsAndRefusals)
{
  const std::vector<Row> rows = {
    { "one minor", "v1.33.5", { "v1.33.5", "v1.33.5" }, "1.34", { "1.34" }, "" },
    { "the target given in full", "v1.33.5", { "v1.33.5" }, "v1.34.1", { "1.34" }, "" },
    { "two minors are two hops", "v1.32.0", { "v1.32.0" }, "1.34", { "1.33", "1.34" }, "" },
    { "already there", "v1.34.1", { "v1.34.1" }, "1.34", {}, "" },
    { "control plane there, workers behind: one hop for them",
      "v1.34.1",
      { "v1.34.1", "v1.33.5" },
      "1.34",
      { "1.34" },
      "" },
    { "kubelets up to 3 minors behind the new control plane", "v1.33.5", { "v1.31.0" }, "1.34", { "1.34" }, "" },
    { "a downgrade", "v1.33.5", { "v1.33.5" }, "1.32", {}, "rule: no downgrades" },
    { "two minors down", "v1.33.5", { "v1.33.5" }, "1.31", {}, "rule: no downgrades" },
    { "a kubelet 4 minors behind the first hop",
      "v1.33.5",
      { "v1.33.5", "v1.30.0" },
      "1.34",
      {},
      "rule: kubelet version skew" },
    { "a kubelet newer than the control plane",
      "v1.33.5",
      { "v1.34.1" },
      "1.34",
      {},
      "never newer than the API server" },
    { "a version ocne does not know", "v1.33.5", { "v1.33.5" }, "1.40", {}, "is not supported" },
    { "not a version", "v1.33.5", { "v1.33.5" }, "latest", {}, "is not supported" },
    { "a hop through a version ocne does not know", "v1.28.8", { "v1.28.8" }, "1.30", {}, "passes 1.29" },
  };
  for (const auto& row : rows) {
    VersionsSeen seen;
    seen.control_plane = row.control_plane;
    for (const auto& k : row.kubelets) {
      seen.kubelets.push_back({ "node n", k });
    }
    const auto plan = plan_upgrade(seen, row.target, k_known);
    if (row.refused.empty()) {
      ASSERT_TRUE(plan) << row.name << ": " << plan.error().message();
      EXPECT_EQ(plan->hops, row.hops) << row.name;
      EXPECT_EQ(plan->from, minor_of(row.control_plane)) << row.name;
    } else {
      ASSERT_FALSE(plan) << row.name;
      EXPECT_NE(plan.error().message().find(row.refused), std::string::npos)
        << row.name << ": " << plan.error().message();
      EXPECT_EQ(plan.error().kind(), ErrorKind::invalid_input) << row.name;
    }
  }
}

TEST(UpgradePlan, TheKubeletSkewWasTwoMinorsBefore128)
{
  VersionsSeen seen;
  seen.control_plane = "v1.26.6";
  seen.kubelets = { { "node old", "v1.24.0" } };
  const std::vector<std::string> known{ "1.26", "1.27" };
  const auto plan = plan_upgrade(seen, "1.27", known);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("more than 2 minors older"), std::string::npos) << plan.error().message();
}

TEST(UpgradePlan, MinorsOfVersionStrings)
{
  EXPECT_EQ(minor_of("v1.33.5"), "1.33");
  EXPECT_EQ(minor_of("1.34"), "1.34");
  EXPECT_EQ(minor_of(" v1.34.1+1.el8 "), "1.34");
  EXPECT_EQ(minor_of("1"), "");
  EXPECT_EQ(minor_of("v1.x"), "");
  EXPECT_EQ(minor_number("v1.34.1"), 34);
  EXPECT_EQ(minor_number("2.0"), -1);
}

} // namespace
} // namespace ocne::providers::capi
