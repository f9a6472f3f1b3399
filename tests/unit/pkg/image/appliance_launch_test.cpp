// When a failed libguestfs launch is retried with TCG, and what is said
// about it (the launches themselves are in tests/e2e/image).

#include "pkg/image/appliance_launch.hpp"

#include <gtest/gtest.h>

namespace ocne::image {
namespace {

const std::string k_generic =
  "guestfs_launch failed.\nThis usually means the libguestfs appliance failed to start or "
  "crashed.\nDo:\n  export LIBGUESTFS_DEBUG=1 LIBGUESTFS_TRACE=1\nand run the command again.";

LaunchAttempt
failed(Accel accel, std::vector<std::string> errors, std::string qemu = "")
{
  LaunchAttempt a;
  a.accel = accel;
  a.errors = std::move(errors);
  a.qemu_said = std::move(qemu);
  return a;
}

TEST(ApplianceLaunchTest, KvmIsUsedOnlyWhenNotForcedAndDevKvmOpens)
{
  EXPECT_EQ(launch_accel(false, true), Accel::kvm);
  EXPECT_EQ(launch_accel(true, true), Accel::tcg);
  EXPECT_EQ(launch_accel(false, false), Accel::tcg);
  EXPECT_EQ(launch_accel(true, false), Accel::tcg);
}

TEST(ApplianceLaunchTest, BackendSettingBooleansReadAsLibguestfsReadsThem)
{
  for (const auto* v : { "1", "true", "TRUE", "t", "yes", "Y", "on", " on " }) {
    EXPECT_TRUE(setting_is_true(v)) << v;
  }
  for (const auto* v : { "0", "false", "no", "off", "", "2", "tcg" }) {
    EXPECT_FALSE(setting_is_true(v)) << v;
  }
}

TEST(ApplianceLaunchTest, AnyFailureWithKvmIsRetriedWhateverTheMessage)
{
  // The case that used to be missed: the last error is the generic one,
  // with no word of QEMU in it.
  EXPECT_TRUE(retry_with_tcg(failed(Accel::kvm, { k_generic })));
  EXPECT_TRUE(retry_with_tcg(failed(Accel::kvm, {})));
  EXPECT_TRUE(retry_with_tcg(failed(Accel::kvm, { "child process died unexpectedly", k_generic })));
  auto hung = failed(Accel::kvm, { k_generic });
  hung.stopped_after = std::chrono::seconds(180);
  EXPECT_TRUE(retry_with_tcg(hung));
  // Nothing to retry: TCG already failed, or KVM worked.
  EXPECT_FALSE(retry_with_tcg(failed(Accel::tcg, { "qemu-system-x86_64: something" })));
  LaunchAttempt ok;
  ok.launched = true;
  EXPECT_FALSE(retry_with_tcg(ok));
}

TEST(ApplianceLaunchTest, TheDescriptionKeepsWhatIsSpecific)
{
  EXPECT_EQ(describe_attempt(failed(Accel::kvm, { k_generic })), "the appliance failed to start or crashed");
  EXPECT_EQ(describe_attempt(failed(Accel::kvm,
                                    { "qemu-system-x86_64 killed by signal 6 (Aborted).", k_generic },
                                    "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0")),
            "qemu-system-x86_64 killed by signal 6 (Aborted); QEMU said: qemu-system-x86_64: error: failed to set MSR "
            "0x10a to 0x0");
  // Repeated errors are said once.
  EXPECT_EQ(
    describe_attempt(failed(Accel::tcg, { "child process died unexpectedly", "child process died unexpectedly" })),
    "child process died unexpectedly");
  auto hung = failed(Accel::kvm, { "appliance closed the connection unexpectedly.", k_generic });
  hung.stopped_after = std::chrono::seconds(5);
  EXPECT_EQ(describe_attempt(hung),
            "the appliance did not come up within 5 s and was stopped; appliance closed the connection unexpectedly");
}

TEST(ApplianceLaunchTest, TheNoticeIsOneLineNamingTheFailureAndTheSetting)
{
  const auto notice =
    tcg_retry_notice(failed(Accel::kvm, { k_generic }, "qemu-system-x86_64: failed to set MSR 0x10a"));
  EXPECT_EQ(notice,
            "the libguestfs appliance did not start with KVM (QEMU said: qemu-system-x86_64: failed to set MSR 0x10a); "
            "retrying once with software emulation (TCG), which is "
            "slower. Set LIBGUESTFS_BACKEND_SETTINGS=force_tcg to skip KVM on this host");
  EXPECT_EQ(notice.find('\n'), std::string::npos);
}

TEST(ApplianceLaunchTest, TheErrorNamesEveryAttempt)
{
  const auto both = launch_failure({ failed(Accel::kvm, { k_generic }, "qemu-system-x86_64: failed to set MSR 0x10a"),
                                     failed(Accel::tcg, { "child process died unexpectedly", k_generic }) });
  EXPECT_EQ(both.kind(), ErrorKind::unavailable);
  EXPECT_EQ(
    both.message(),
    "cannot start the libguestfs appliance with KVM: QEMU said: qemu-system-x86_64: failed to set MSR 0x10a; then with software emulation (TCG): child process died "
    "unexpectedly (run libguestfs-test-tool to see why)");
  EXPECT_EQ(launch_failure({ failed(Accel::tcg, { k_generic }) }).message(),
            "cannot start the libguestfs appliance with software emulation (TCG): the appliance failed to start or "
            "crashed (run libguestfs-test-tool to see why)");
}

TEST(ApplianceLaunchTest, QemuLinesArePickedFromTheConsole)
{
  EXPECT_EQ(last_qemu_line("SeaBIOS (version 1.16.2)\r\nBooting from ROM...\r\n"), "");
  EXPECT_EQ(last_qemu_line("Booting from ROM...\nqemu-system-x86_64: warning: host doesn't support feature\n"
                           "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion failed.\n"
                           "[    0.1] Linux version 6.1: qemu mentioned here\n"),
            "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion failed.");
  EXPECT_EQ(last_qemu_line("qemu-kvm: failed to initialize kvm: Permission denied"),
            "qemu-kvm: failed to initialize kvm: Permission denied");
}

} // namespace
} // namespace ocne::image
