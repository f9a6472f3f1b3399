#include "pkg/upgrade/node_journal.hpp"

#include <gtest/gtest.h>

namespace ocne::upgrade {
namespace {

using nlohmann::json;

NodeJournal
journal()
{
  NodeJournal j;
  j.phase = NodePhase::rebooting;
  j.target = "1.34";
  j.boot_id = "boot-1";
  j.booted_commit = "old";
  j.staged_commit = "new";
  j.cordoned_by_us = true;
  j.owner = "host/42";
  j.since = "2026-01-01T00:00:00Z";
  return j;
}

json
node_with(const json& annotation)
{
  return { { "metadata", { { "name", "cp-1" }, { "annotations", { { k_node_update_annotation, annotation } } } } } };
}

TEST(NodeJournal, RoundTripAndMalformed)
{
  const auto j = journal();
  const auto read = read_node_journal(node_with(journal_text(j)));
  ASSERT_TRUE(read) << read.error().message();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ(**read, j);

  const auto none = read_node_journal({ { "metadata", { { "name", "cp-1" } } } });
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  for (const json& bad : { json("not json"),
                           json(42),
                           json(R"({"v": 2, "phase": "draining", "bootID": "b", "stagedCommit": "c"})"),
                           json(R"({"v": 1, "phase": "sleeping", "bootID": "b", "stagedCommit": "c"})"),
                           json(R"({"v": 1, "phase": "draining", "stagedCommit": "c"})"),
                           json(R"({"v": 1, "phase": "draining", "bootID": 7, "stagedCommit": "c"})") }) {
    const auto r = read_node_journal(node_with(bad));
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_EQ(r.error().kind(), ErrorKind::invalid_input);
    EXPECT_NE(r.error().message().find("node cp-1: annotation ocne.oracle.com/node-update cannot be read"),
              std::string::npos)
      << r.error().message();
  }
}

TEST(NodeJournal, PatchesCarryTheResourceVersionAndTheCordon)
{
  auto j = journal();
  j.phase = NodePhase::draining;
  const auto begin = begin_patch(j, "17");
  EXPECT_EQ(begin["metadata"]["resourceVersion"], "17");
  EXPECT_EQ(begin["spec"]["unschedulable"], true);
  EXPECT_EQ(begin["metadata"]["annotations"][k_node_update_annotation], journal_text(j));

  const auto rebooting = rebooting_patch(j, "18");
  EXPECT_TRUE(rebooting["metadata"]["annotations"]["ocne.oracle.com/update-available"].is_null());
  auto back = read_node_journal(node_with(rebooting["metadata"]["annotations"][k_node_update_annotation]));
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ((*back)->phase, NodePhase::rebooting);
  EXPECT_FALSE(rebooting.contains("spec"));

  const auto finish = finish_patch(j, "19");
  EXPECT_TRUE(finish["metadata"]["annotations"][k_node_update_annotation].is_null());
  EXPECT_EQ(finish["spec"]["unschedulable"], false);

  // A node cordoned by someone else (or a single node) is never uncordoned.
  j.cordoned_by_us = false;
  EXPECT_FALSE(begin_patch(j, "1").contains("spec"));
  EXPECT_FALSE(finish_patch(j, "1").contains("spec"));
}

TEST(NodeJournal, ResumeTable)
{
  const auto j = journal();
  struct Row
  {
    const char* what;
    NodeObservation seen;
    ResumeAction expected;
  };
  const std::vector<Row> rows = {
    { "new boot, not Ready", { "boot-2", false, "v1.34.1+1.el8" }, ResumeAction::verify },
    { "new boot, Ready, old kubelet", { "boot-2", true, "v1.33.5+1.el8" }, ResumeAction::verify },
    { "new boot, Ready, target, commit unknown", { "boot-2", true, "v1.34.1+1.el8" }, ResumeAction::verify },
    { "new boot, staged commit booted",
      { "boot-2", true, "v1.34.1+1.el8", std::nullopt, std::nullopt, "new" },
      ResumeAction::finish },
    { "new boot, old commit booted",
      { "boot-2", true, "v1.34.1+1.el8", std::nullopt, std::nullopt, "old" },
      ResumeAction::booted_old_os },
    { "same boot, not Ready", { "boot-1", false, "v1.33.5+1.el8" }, ResumeAction::wait_for_reboot },
    { "same boot, Ready, host not asked", { "boot-1", true, "v1.33.5+1.el8" }, ResumeAction::need_host },
    { "API stale, kernel rebooted",
      { "boot-1", true, "v1.33.5+1.el8", "boot-2", false, std::nullopt },
      ResumeAction::wait_for_reboot },
    { "timer active",
      { "boot-1", true, "v1.33.5+1.el8", "boot-1", true, std::nullopt },
      ResumeAction::wait_for_reboot },
    { "no timer", { "boot-1", true, "v1.33.5+1.el8", "boot-1", false, std::nullopt }, ResumeAction::apply_and_reboot },
  };
  for (const auto& row : rows) {
    EXPECT_EQ(to_string(next_action(j, row.seen)), to_string(row.expected)) << row.what;
  }
  // A custom tag: no version to wait for.
  auto custom = j;
  custom.target = "";
  EXPECT_EQ(next_action(custom, { "boot-2", true, "v1.33.5+1.el8", std::nullopt, std::nullopt, "new" }),
            ResumeAction::finish);
}

TEST(NodeJournal, KubeletMinor)
{
  EXPECT_EQ(kubelet_minor("v1.34.1+1.el8"), "1.34");
  EXPECT_EQ(kubelet_minor("1.33.5"), "1.33");
  EXPECT_EQ(kubelet_minor("v1.34"), "1.34");
  EXPECT_EQ(kubelet_minor("latest"), "");
  EXPECT_EQ(kubelet_minor(""), "");
}

} // namespace
} // namespace ocne::upgrade
