#include "tests/e2e/libvirt/setup_verdict.hpp"

#include <gtest/gtest.h>

namespace ocne::test {
namespace {

Result<ProcessResult>
exited(int code, std::string err, std::string out = "")
{
  ProcessResult r;
  r.exit_code = code;
  r.err = std::move(err);
  r.out = std::move(out);
  return r;
}

TEST(LibvirtSetupVerdict, SuccessIsOk)
{
  const auto o = judge_setup_step("libvirtd-up.sh", exited(0, ""), true);
  EXPECT_EQ(o.verdict, SetupVerdict::ok);
  EXPECT_EQ(o.reason, "");
}

// Exit 77 is the scripts' "a capability is absent here": it skips in CI too
// and names the capability from the script's last stderr line.
TEST(LibvirtSetupVerdict, AbsentCapabilitySkipsEvenInCi)
{
  const auto o =
    judge_setup_step("libvirtd-up.sh",
                     exited(77, "noise\nlibvirtd-up: needs root (network and mount namespaces, QEMU as root)\n"),
                     true);
  EXPECT_EQ(o.verdict, SetupVerdict::skip);
  EXPECT_EQ(o.reason,
            "absent capability (libvirtd-up.sh): libvirtd-up: needs root (network and mount namespaces, QEMU as root)");
}

TEST(LibvirtSetupVerdict, BrokenSetupFailsInCiWithItsOutput)
{
  const auto o = judge_setup_step(
    "libvirtd-up.sh", exited(1, "libvirtd-up: the daemon did not answer\nlog line\n", "URI=x\n"), true);
  EXPECT_EQ(o.verdict, SetupVerdict::fail);
  EXPECT_EQ(o.reason,
            "libvirtd-up.sh failed with exit status 1; stderr:\nlibvirtd-up: the daemon did not answer\nlog line\n"
            "stdout:\nURI=x\n");
}

TEST(LibvirtSetupVerdict, BrokenSetupSkipsOutsideCiSayingCiWouldFail)
{
  const auto o =
    judge_setup_step("build-test-image.sh", exited(1, "build-test-image: module virtio_net is missing\n"), false);
  EXPECT_EQ(o.verdict, SetupVerdict::skip);
  EXPECT_EQ(o.reason,
            "broken setup (this fails under CI=true): build-test-image.sh failed with exit status 1; stderr:\n"
            "build-test-image: module virtio_net is missing\n");
}

TEST(LibvirtSetupVerdict, KilledTimedOutOrUnstartableScriptsAreBroken)
{
  ProcessResult killed;
  killed.exit_code = -1;
  killed.signal = 9;
  auto o = judge_setup_step("libvirtd-up.sh", killed, true);
  EXPECT_EQ(o.verdict, SetupVerdict::fail);
  EXPECT_EQ(o.reason, "libvirtd-up.sh was killed by signal 9");

  ProcessResult slow;
  slow.exit_code = -1;
  slow.timed_out = true;
  o = judge_setup_step("build-test-image.sh", slow, true);
  EXPECT_EQ(o.verdict, SetupVerdict::fail);
  EXPECT_EQ(o.reason, "build-test-image.sh timed out");

  const Result<ProcessResult> missing = make_error(ErrorKind::not_found, "no such file");
  o = judge_setup_step("libvirtd-up.sh", missing, true);
  EXPECT_EQ(o.verdict, SetupVerdict::fail);
  EXPECT_EQ(o.reason, "cannot run libvirtd-up.sh: no such file");
}

TEST(LibvirtSetupVerdict, CiIsReadFromTheEnvironment)
{
  const char* saved = std::getenv("CI");
  const std::string old = saved != nullptr ? saved : "";
  ::setenv("CI", "true", 1);
  EXPECT_TRUE(running_in_ci());
  ::setenv("CI", "false", 1);
  EXPECT_FALSE(running_in_ci());
  ::unsetenv("CI");
  EXPECT_FALSE(running_in_ci());
  if (saved != nullptr) {
    ::setenv("CI", old.c_str(), 1);
  }
}

} // namespace
} // namespace ocne::test
