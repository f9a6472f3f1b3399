#include "pkg/ock/ostree_status.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ocne::ock {
namespace {

const std::string k_old(64, 'a');
const std::string k_new(64, 'b');

TEST(OstreeStatus, BootedAndNextBootWithAndWithoutAMarker)
{
  for (const char* marker : { "", " (pending)", " (staged)" }) {
    const auto text = "  ock " + k_new + ".0" + marker + "\n    Version: 1.34\n    origin refspec: ock:ock\n* ock " +
                      k_old + ".1\n    Version: 1.33\n    origin refspec: ock:ock\n";
    const auto status = parse_ostree_admin_status(text);
    ASSERT_TRUE(status) << status.error().message();
    ASSERT_EQ(status->deployments.size(), 2U);
    EXPECT_EQ(status->next_boot()->commit, k_new);
    EXPECT_FALSE(status->next_boot()->booted);
    EXPECT_EQ(status->booted()->commit, k_old);
    EXPECT_EQ(status->booted()->serial, 1);
    EXPECT_EQ(status->booted()->osname, "ock");
  }
}

TEST(OstreeStatus, AfterTheRebootTheOldOneIsTheRollback)
{
  const auto status = parse_ostree_admin_status("* ock " + k_new + ".0\n    Version: 1.34\n  ock " + k_old +
                                                ".1 (rollback)\n    Version: 1.33\n");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->booted(), status->next_boot());
  EXPECT_EQ(status->deployments[1].state, "rollback");
}

TEST(OstreeStatus, TextWithoutABootedDeploymentIsRefused)
{
  EXPECT_FALSE(parse_ostree_admin_status(""));
  EXPECT_FALSE(parse_ostree_admin_status("  ock " + k_new + ".0\n"));
  EXPECT_FALSE(parse_ostree_admin_status("* ock deadbeef.0\n"));
}

} // namespace
} // namespace ocne::ock
