// The upgrade's record in the cluster cache (providers/capi/upgrade_journal.hpp).

#include "providers/capi/upgrade_journal.hpp"

#include <gtest/gtest.h>

namespace ocne::providers::capi {
namespace {

TEST(UpgradeJournal, ReadsTheHopItsStepsImagesAndCopiesAndForgetsThemInTwoStages)
{
  cluster::MemoryTracker tracker("demo");
  EXPECT_FALSE(read_upgrade_journal(tracker.snapshot()).active());
  ASSERT_TRUE(tracker.set_state("upgrade.target", "1.34"));
  ASSERT_TRUE(tracker.set_state("upgrade.from", "1.32"));
  ASSERT_TRUE(tracker.set_state("upgrade.hop", "1.33"));
  ASSERT_TRUE(tracker.set_state("upgrade.step.images", "done"));
  ASSERT_TRUE(tracker.set_state("upgrade.step.templates", "done"));
  ASSERT_TRUE(tracker.set_state("upgrade.step.workers", "")); // cleared earlier
  ASSERT_TRUE(tracker.set_state("upgrade.image.amd64", "ocid1.image.new"));
  ASSERT_TRUE(tracker.set_state("upgrade.template.OCIMachineTemplate/demo-md-0", "demo-md-0-v1-33"));
  ASSERT_TRUE(tracker.set_state("capi.step.images", "done")); // the start's, not the upgrade's

  auto j = read_upgrade_journal(tracker.snapshot());
  EXPECT_TRUE(j.active());
  EXPECT_EQ(j.target, "1.34");
  EXPECT_EQ(j.from, "1.32");
  EXPECT_EQ(j.hop, "1.33");
  EXPECT_EQ(j.done, (std::set<UpgradeStep>{ UpgradeStep::images, UpgradeStep::templates }));
  ASSERT_TRUE(j.next());
  EXPECT_EQ(*j.next(), UpgradeStep::control_plane);
  EXPECT_EQ(j.images.at("amd64"), "ocid1.image.new");
  EXPECT_EQ(j.templates.at("OCIMachineTemplate/demo-md-0"), "demo-md-0-v1-33");

  ASSERT_TRUE(clear_upgrade_hop(tracker, j));
  j = read_upgrade_journal(tracker.snapshot());
  EXPECT_TRUE(j.active()); // the target stays for the next hop
  EXPECT_TRUE(j.hop.empty());
  EXPECT_TRUE(j.done.empty());
  EXPECT_TRUE(j.images.empty());
  EXPECT_TRUE(j.templates.empty());
  ASSERT_TRUE(clear_upgrade(tracker, j));
  EXPECT_FALSE(read_upgrade_journal(tracker.snapshot()).active());
  EXPECT_EQ(tracker.snapshot().state.at("capi.step.images"), "done");
}

TEST(UpgradeJournal, StepsHaveNamesInOrder)
{
  std::vector<std::string> names;
  for (const auto step : upgrade_steps()) {
    names.emplace_back(to_string(step));
  }
  EXPECT_EQ(names, (std::vector<std::string>{ "images", "templates", "control-plane", "addons", "workers", "verify" }));
}

} // namespace
} // namespace ocne::providers::capi
