// `ocne cluster start|delete --provider libvirt` through the built binary,
// where no real daemon is needed: libvirt's test driver (test:///default, or
// a test:///<file>.xml host with objects in it) and an unreachable socket.
// Each run is its own process, so the test driver forgets everything between
// runs: these cases check what the CLI says, exit codes, and that the cache,
// kubeconfigs and ips.yaml are left right. The full start runs against a
// real daemon in cluster_test.cpp.

#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "pkg/core/strings.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::test {
namespace {

// The test driver's host is i686; its guests may be x86_64.
const std::map<std::string, std::string> k_x86_64 = { { "OCNE_LIBVIRT_ARCH", "x86_64" } };

class LibvirtCliTest : public TempDirTest
{
protected:
  // The last line ocne wrote to stderr (the error; INFO lines come before).
  static std::string
  last_line(const std::string& text)
  {
    const auto lines = str::split_trimmed(text, '\n');
    return lines.empty() ? "" : lines.back();
  }

  std::optional<ClusterRecord>
  cached(const std::string& name)
  {
    auto cache = ClusterCache::load(dir() / ".ocne" / "clusters.yaml");
    EXPECT_TRUE(cache) << cache.error().message();
    const auto* r = cache ? cache->find(name) : nullptr;
    return r ? std::optional<ClusterRecord>(*r) : std::nullopt;
  }

  fs::Path
  boot_image()
  {
    const auto boot = dir() / "boot.qcow2";
    auto made = run_process({ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", boot.string(), "64M" } });
    EXPECT_TRUE(made && made->ok());
    return boot;
  }

  fs::Path
  cluster_file(const std::string& name, const std::string& uri, const std::string& boot)
  {
    return write(name + ".yaml",
                 fmt::format(R"(name: {}
workerNodes: 1
bootVolumeContainerImage: {}
providers:
  libvirt:
    uri: "{}"
    controlPlaneNode:
      memory: 256Mi
    workerNode:
      memory: 256Mi
)",
                             name,
                             boot,
                             uri));
  }

  bool
  have_qemu_img()
  {
    return program_exists("qemu-img");
  }
};

TEST_F(LibvirtCliTest, StartWithoutDaemonNamesTheUriAndHowToStartIt)
{
  const auto uri = "qemu:///system?socket=" + (dir() / "no-daemon.sock").string();
  const auto config = cluster_file("nodaemon", uri, "file:///nonexistent.qcow2");
  const auto r = run_ocne({ "cluster", "start", "-c", config.string() }, dir());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto socket = (dir() / "no-daemon.sock").string();
  EXPECT_EQ(last_line(r.err),
            "ocne: error: cannot connect to libvirt at " + uri + ": failed to connect socket to '" + socket +
              "': No such file or directory; no libvirt daemon answers on the socket " + socket +
              "; start the daemon that owns it");
  EXPECT_FALSE(cached("nodaemon"));
  EXPECT_FALSE(std::filesystem::exists(dir() / ".kube" / "kubeconfig.nodaemon.local"));
}

TEST_F(LibvirtCliTest, StartLeavesADomainItDidNotCreateAlone)
{
  // A host whose domain already carries the first node's name.
  const auto host = write("host.xml", R"(<node>
  <domain type='test'>
    <name>taken-control-plane-1</name>
    <memory>262144</memory>
    <os><type>hvm</type></os>
  </domain>
</node>
)");
  const auto uri = "test://" + host.string();
  const auto config = cluster_file("taken", uri, "file:///nonexistent.qcow2");
  const auto r = run_ocne({ "cluster", "start", "-c", config.string() }, dir());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(last_line(r.err),
            "ocne: error: domain taken-control-plane-1 already exists on " + uri +
              " and was not created by ocne for cluster taken; it is left alone: choose another cluster name or "
              "remove that domain");
  EXPECT_FALSE(cached("taken"));
}

TEST_F(LibvirtCliTest, StartOnAHostOfAnotherArchitectureSaysSo)
{
  // The test driver's host is an i686 machine.
  const auto config = cluster_file("i686", "test:///default", "file:///nonexistent.qcow2");
  const auto r = run_ocne({ "cluster", "start", "-c", config.string() }, dir());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(last_line(r.err),
            "ocne: error: the libvirt host test:///default has architecture i686; ocne runs x86_64 and aarch64 nodes");
  EXPECT_FALSE(cached("i686"));
  EXPECT_FALSE(std::filesystem::exists(dir() / ".ocne" / "ips.yaml"));
}

TEST_F(LibvirtCliTest, ApplicationsAndCatalogsGetOneWarning)
{
  auto config = cluster_file("apps", "test:///default", "file:///nonexistent.qcow2");
  auto text = fs::read_file(config);
  ASSERT_TRUE(text);
  ASSERT_TRUE(fs::write_file_atomic(config, *text + R"(communityCatalog: true
catalogs:
  - name: mine
    uri: https://charts.example
applications:
  - name: prometheus
    catalog: mine
  - name: grafana
)"));
  const auto r = run_ocne({ "cluster", "start", "-c", config.string() }, dir());
  EXPECT_EQ(r.exit_code, 1) << r.err; // the i686 test host stops it later
  const std::string warning = "applications and catalogs are not supported yet; not installed: application "
                              "prometheus, application grafana, catalog mine, the community catalog";
  EXPECT_NE(r.err.find(warning), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(warning), r.err.rfind(warning)) << r.err;
}

TEST_F(LibvirtCliTest, StartWithUnreadableBootImageCreatesNothing)
{
  if (!have_qemu_img()) {
    GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
  }
  const auto missing = dir() / "missing.qcow2";
  const auto config = cluster_file("noimage", "test:///default", "file://" + missing.string());
  const auto r = run_ocne({ "cluster", "start", "-c", config.string() }, dir(), k_x86_64);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(last_line(r.err), "ocne: error: " + missing.string() + ": no such file or directory");
  EXPECT_FALSE(cached("noimage"));
  EXPECT_FALSE(std::filesystem::exists(dir() / ".kube" / "kubeconfig.noimage.local"));
  EXPECT_FALSE(std::filesystem::exists(dir() / ".kube" / "kubeconfig.noimage.vm"));
}

TEST_F(LibvirtCliTest, StartThatFailsHalfWayRemovesWhatItCreated)
{
  if (!have_qemu_img()) {
    GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
  }
  // The test driver cannot upload volumes: the start gets as far as the
  // pool and the base volume, then fails and rolls back.
  const auto boot = boot_image();
  const auto config = cluster_file("halfway", "test:///default", "file://" + boot.string());
  const auto r = run_ocne({ "cluster", "start", "-c", config.string() }, dir(), k_x86_64);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("Uploading boot image"), std::string::npos) << r.err;
  EXPECT_EQ(last_line(r.err),
            "ocne: error: cannot upload " + boot.string() +
              " to volume boot.qcow2-1.33: this function is not supported by the connection driver: "
              "virStorageVolUpload");
  EXPECT_FALSE(cached("halfway"));
  EXPECT_FALSE(std::filesystem::exists(dir() / ".kube" / "kubeconfig.halfway.local"));
}

TEST_F(LibvirtCliTest, StartOfAFailedClusterAsksForDeleteFirst)
{
  write(".ocne/clusters.yaml",
        R"(clusters:
  broken:
    config:
      name: broken
      provider: libvirt
    kubeconfig: /nowhere/kubeconfig.broken.local
    state:
      phase: failed
      provider: libvirt
      kubernetesVersion: "1.33"
)",
        0600);
  const auto config = cluster_file("broken", "test:///default", "file:///nonexistent.qcow2");
  const auto r = run_ocne({ "cluster", "start", "-c", config.string() }, dir());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(last_line(r.err),
            "ocne: error: cluster 'broken' is left failed by an earlier run that did not finish; "
            "remove it with 'ocne cluster delete -C broken' and start it again");
  ASSERT_TRUE(cached("broken"));
}

TEST_F(LibvirtCliTest, DeleteRemovesWhatTheCacheRecordsAndIsIdempotent)
{
  // A cluster whose VMs are gone already (the test driver starts empty):
  // delete still removes its kubeconfigs, addresses and cache entry.
  const auto local = write(".kube/kubeconfig.gone.local", "apiVersion: v1\n", 0600);
  const auto vm = write(".kube/kubeconfig.gone.vm", "apiVersion: v1\n", 0600);
  const auto unrelated = write(".kube/kubeconfig.other.local", "apiVersion: v1\n", 0600);
  write(".ocne/ips.yaml", R"(hosts:
  127.0.0.1:
    ips:
      192.168.122.201: true
      192.168.122.202: true
    ports:
      6443: true
      6444: true
clusters:
  gone: {host: 127.0.0.1, ip: 192.168.122.201, port: 6443}
  other: {host: 127.0.0.1, ip: 192.168.122.202, port: 6444}
)");
  write(".ocne/clusters.yaml",
        fmt::format(R"(clusters:
  gone:
    config:
      name: gone
      provider: libvirt
      providers:
        libvirt:
          uri: test:///default
    kubeconfig: {0}
    resources:
      - {{provider: libvirt, kind: address, id: 127.0.0.1 192.168.122.201 6443, name: gone}}
      - {{provider: local, kind: file, id: {0}, name: {0}}}
      - {{provider: local, kind: file, id: {1}, name: {1}}}
      - {{provider: libvirt, kind: volume, id: images/gone-control-plane-1.qcow2, name: gone-control-plane-1.qcow2}}
      - {{provider: libvirt, kind: domain, id: 5e9a6c4e-4a2f-4b7e-9c55-0d1a3c0f7e11, name: gone-control-plane-1}}
    state:
      phase: running
      provider: libvirt
      kubernetesVersion: "1.33"
)",
                    local.string(),
                    vm.string()),
        0600);
  auto r = run_ocne({ "cluster", "delete", "-C", "gone" }, dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(local));
  EXPECT_FALSE(std::filesystem::exists(vm));
  EXPECT_TRUE(std::filesystem::exists(unrelated));
  EXPECT_FALSE(cached("gone"));
  const auto ips = fs::read_file(dir() / ".ocne" / "ips.yaml");
  ASSERT_TRUE(ips);
  EXPECT_EQ(ips->find("gone"), std::string::npos) << *ips;
  EXPECT_EQ(ips->find("192.168.122.201"), std::string::npos) << *ips;
  EXPECT_NE(ips->find("other"), std::string::npos) << *ips;

  // Again: nothing is known about it any more, nothing is touched.
  r = run_ocne({ "cluster", "delete", "-C", "gone" }, dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Cluster gone is not in the cluster cache"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(unrelated));
}

} // namespace
} // namespace ocne::test
