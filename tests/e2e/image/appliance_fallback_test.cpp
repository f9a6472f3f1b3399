// `ocne image create` on a host where QEMU cannot run the libguestfs
// appliance with KVM: libguestfs is pointed (LIBGUESTFS_HV) at a wrapper
// that passes QEMU's feature probes through to the real QEMU and breaks only
// the appliance run asked for with KVM (accel=kvm:tcg), the way a broken
// /dev/kvm does: QEMU aborts, or the guest hangs in its firmware. Only the
// first test starts a real appliance (with TCG); the others fail both
// attempts without one.

#include "pkg/image/cache_stamp.hpp"
#include "tests/support/image/oci_layout_builder.hpp"
#include "tests/support/image/ock_disk.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ocne::test {
namespace {

std::string
read_text(const std::filesystem::path& p)
{
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string
last_line(std::string text)
{
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  const auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

std::size_t
count(const std::string& text, const std::string& what)
{
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

class ApplianceFallbackTest : public TempDirTest
{
protected:
  void
  SetUp() override
  {
    OCNE_REQUIRE_GUESTFS();
    // libguestfs asks QEMU for KVM only when /dev/kvm opens; elsewhere
    // there is no KVM attempt to fall back from.
    const int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      GTEST_SKIP() << "needs a /dev/kvm this user can open (libguestfs uses TCG from the start without one)";
    }
    ::close(fd);
    qemu = find_program("qemu-system-x86_64");
    if (qemu.empty()) {
      GTEST_SKIP() << "needs qemu-system-x86_64";
    }
  }

  static std::string
  find_program(const std::string& name)
  {
    for (const auto& dir : { "/usr/bin", "/usr/local/bin", "/bin" }) {
      const auto p = std::filesystem::path(dir) / name;
      if (::access(p.c_str(), X_OK) == 0) {
        return p.string();
      }
    }
    return {};
  }

  void
  TearDown() override
  {
    if (!m_hv_dir.empty()) {
      std::filesystem::remove_all(m_hv_dir);
    }
  }

  // A QEMU wrapper: each appliance run (the one with -kernel) is logged and
  // runs on_kvm or on_tcg by the accelerator it asks for; QEMU's feature
  // probes go to the real QEMU.
  std::filesystem::path
  wrapper(const std::string& on_kvm, const std::string& on_tcg)
  {
    // A short path: libguestfs 1.48 overflows a buffer (seen with ASan) while
    // probing a QEMU whose path is about 100 characters long.
    std::string hv_dir = "/tmp/ocne-hv-XXXXXX";
    if (::mkdtemp(hv_dir.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    m_hv_dir = hv_dir;
    const auto path = m_hv_dir / "qemu";
    std::ofstream(path) << "#!/bin/sh\n"
                           "case \" $* \" in *\" -kernel \"*) ;; *) exec " +
                             qemu +
                             " \"$@\" ;; esac\n"
                             "echo \"appliance $(echo \"$*\" | grep -o 'accel=[a-z:]*')\" >> " +
                             (dir() / "qemu.log").string() +
                             "\n"
                             "case \"$*\" in *accel=kvm*) " +
                             on_kvm + " ;; *) " + on_tcg + " ;; esac\n";
    std::filesystem::permissions(path, std::filesystem::perms(0755));
    // libguestfs caches QEMU's probe results by the binary's size and mtime
    // (in /var/tmp/.guestfs-<uid>): a fixed mtime lets every run reuse them
    // instead of adding files.
    std::filesystem::last_write_time(
      path, std::chrono::file_clock::from_sys(std::chrono::sys_seconds(std::chrono::seconds(946684800))));
    return path;
  }

  std::filesystem::path
  layout()
  {
    const auto disks = ock_disks();
    OciLayoutBuilder b(dir() / "layout");
    b.tag("1.33", b.add_image("amd64", { LayerSpec{ { TarEntry{ "disk/boot.qcow2", "", disks.ock } } } }));
    return b.dir();
  }

  OcneRun
  create(const std::filesystem::path& hv, const std::map<std::string, std::string>& extra = {})
  {
    std::map<std::string, std::string> env{ { "LIBGUESTFS_BACKEND", "direct" }, { "LIBGUESTFS_HV", hv.string() } };
    env.insert(extra.begin(), extra.end());
    return run_ocne(
      { "image", "create", "--type", "oci", "--version", "1.33", "--source", "oci:" + layout().string() + ":1.33" },
      dir(),
      env,
      "",
      {},
      std::chrono::seconds(600));
  }

  static constexpr const char* k_abort_kvm =
    "echo 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0' >&2; kill -ABRT $$";
  std::string qemu;

private:
  std::filesystem::path m_hv_dir;
};

TEST_F(ApplianceFallbackTest, QemuAbortingWithKvmIsRetriedOnceWithTcgAndTheImageIsBuilt)
{
  const auto hv = wrapper(k_abort_kvm, "exec " + qemu + " \"$@\"");
  const auto r = create(hv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto image = dir() / ".ocne" / "images" / "boot.qcow2-1.33-amd64.oci";
  EXPECT_EQ(r.out, image.string() + "\n");
  // Two appliance runs, KVM then TCG, and one line saying why.
  EXPECT_EQ(read_text(dir() / "qemu.log"), "appliance accel=kvm:tcg\nappliance accel=tcg\n");
  EXPECT_EQ(count(r.err, "retrying once with software emulation (TCG)"), 1U) << r.err;
  EXPECT_NE(r.err.find("WARN["), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did not start with KVM (QEMU said: qemu-system-x86_64: error: failed to set MSR 0x10a to "
                       "0x0); retrying once"),
            std::string::npos)
    << r.err;
  const auto stamp = image::read_stamp(image);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->platform_id, "oci");
  EXPECT_FALSE(stamp->uuids.empty());
}

TEST_F(ApplianceFallbackTest, WhenTcgFailsTooTheErrorNamesBothAttempts)
{
  const auto hv = wrapper(k_abort_kvm, "echo 'qemu-system-x86_64: tcg is broken too' >&2; exit 1");
  const auto r = create(hv);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(read_text(dir() / "qemu.log"), "appliance accel=kvm:tcg\nappliance accel=tcg\n");
  const auto error = last_line(r.err);
  // The error names the disk being edited, then the attempts.
  EXPECT_TRUE(error.starts_with("ocne: error: ")) << error;
  EXPECT_NE(error.find(".oci.tmp-"), std::string::npos) << error;
  EXPECT_NE(error.find(": cannot start the libguestfs appliance with KVM: "), std::string::npos) << error;
  EXPECT_NE(error.find("QEMU said: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0; then with software "
                       "emulation (TCG): "),
            std::string::npos)
    << error;
  EXPECT_TRUE(error.ends_with("QEMU said: qemu-system-x86_64: tcg is broken too (run libguestfs-test-tool to see why)"))
    << error;
  EXPECT_EQ(count(r.err, "retrying once"), 1U) << r.err;
  // No half-built image carries the cache name.
  EXPECT_FALSE(std::filesystem::exists(dir() / ".ocne" / "images" / "boot.qcow2-1.33-amd64.oci"));
}

TEST_F(ApplianceFallbackTest, AKvmLaunchThatHangsIsStoppedAndRetried)
{
  // -S: QEMU starts with the guest paused, so the appliance never comes up.
  const auto hv = wrapper("exec " + qemu + " -S \"$@\"", "echo 'qemu-system-x86_64: no TCG here' >&2; exit 1");
  const auto r = create(hv, { { "OCNE_GUESTFS_KVM_TIMEOUT", "3" } });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(read_text(dir() / "qemu.log"), "appliance accel=kvm:tcg\nappliance accel=tcg\n");
  const auto error = last_line(r.err);
  EXPECT_NE(error.find(": cannot start the libguestfs appliance with KVM: the appliance did not come up within 3 s "
                       "and was stopped; "),
            std::string::npos)
    << error;
  EXPECT_TRUE(error.ends_with("then with software emulation (TCG): QEMU said: qemu-system-x86_64: no TCG here (run "
                              "libguestfs-test-tool to see why)"))
    << error;
}

TEST_F(ApplianceFallbackTest, ForcedTcgMakesOneAttemptOnly)
{
  const auto hv = wrapper(k_abort_kvm, "echo 'qemu-system-x86_64: tcg is broken' >&2; exit 1");
  const auto r = create(hv, { { "LIBGUESTFS_BACKEND_SETTINGS", "force_tcg" } });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(read_text(dir() / "qemu.log"), "appliance accel=tcg\n");
  EXPECT_EQ(r.err.find("retrying"), std::string::npos) << r.err;
  const auto error = last_line(r.err);
  EXPECT_NE(error.find(": cannot start the libguestfs appliance with software emulation (TCG): "), std::string::npos)
    << error;
  EXPECT_TRUE(error.ends_with("QEMU said: qemu-system-x86_64: tcg is broken (run libguestfs-test-tool to see why)"))
    << error;
}

} // namespace
} // namespace ocne::test
