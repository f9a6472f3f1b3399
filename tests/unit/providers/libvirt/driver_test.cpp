// The libvirt driver end to end against libvirt's test driver (test:///default,
// in-process): what start creates and records, what delete removes, and every
// bad-input path. The test driver cannot upload volumes, so a writer that
// captures the bytes stands in for the stream; the Kubernetes API is a fake
// probe. tests/e2e/libvirt runs the same driver against a real
// daemon with QEMU.

#include "providers/libvirt/driver.hpp"

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "pkg/ignition/data_url.hpp"
#include "pkg/libvirt/connection.hpp"
#include "pkg/libvirt/xml.hpp"
#include "providers/libvirt/address_book.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/providers/libvirt/fakes.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <memory>

namespace ocne::providers::libvirt {
namespace {

using nlohmann::json;

using test::FakeProbe;
using test::ProbeScript;
using test::Written;

class DriverTest : public ocne::test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    if (!program_exists("qemu-img")) {
      GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    }
    m_boot = dir() / "boot.qcow2";
    auto made = run_process({ .argv = { "qemu-img", "create", "-q", "-f", "qcow2", m_boot.string(), "64M" } });
    ASSERT_TRUE(made && made->ok());
    auto conn = ocne::libvirt::Connection::open("test:///default");
    ASSERT_TRUE(conn);
    m_conn.emplace(std::move(*conn));
    name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (auto& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }

  Options
  options()
  {
    Options o;
    o.cluster_name = name;
    o.uri = "test:///default";
    o.arch = "x86_64";
    o.worker_nodes = 1;
    o.control_plane.memory_kib = 262144;
    o.worker.memory_kib = 262144;
    o.kube_dir = dir() / ".kube";
    o.home = dir();
    o.state = state;
    const auto boot = m_boot;
    o.boot_image = [boot](std::string_view, ProgressSink&) -> Result<fs::Path> { return boot; };
    return o;
  }

  std::unique_ptr<LibvirtDriver>
  driver(Options o)
  {
    auto deps = test::fake_deps(probe, written);
    return std::make_unique<LibvirtDriver>(std::move(o), std::move(deps));
  }

  Result<cluster::StartResult>
  start(const Options& o)
  {
    auto d = driver(o);
    return cluster::start_cluster(*d,
                                  { .name = o.cluster_name,
                                    .provider = "libvirt",
                                    .kubernetes_version = "1.33",
                                    .config_yaml = "name: " + o.cluster_name + "\n" },
                                  state,
                                  null_progress());
  }

  Result<cluster::DeleteResult>
  remove(const Options& o)
  {
    auto d = driver(o);
    return cluster::delete_cluster(*d, { .name = o.cluster_name }, state, null_progress());
  }

  std::optional<ClusterRecord>
  cached()
  {
    auto cache = ClusterCache::load(state.clusters_file());
    const auto* r = cache ? cache->find(name) : nullptr;
    return r ? std::optional<ClusterRecord>(*r) : std::nullopt;
  }

  std::vector<std::string>
  our_domains()
  {
    std::vector<std::string> out;
    auto all = m_conn->domains();
    for (const auto& d : *all) {
      if (d.name().rfind(name + "-", 0) == 0) {
        out.push_back(d.name());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<std::string>
  our_volumes(const std::string& pool = "images")
  {
    std::vector<std::string> out;
    auto p = m_conn->find_pool(pool);
    if (p && *p) {
      (void)(*p)->refresh();
      auto names = (*p)->volume_names();
      for (const auto& v : *names) {
        if (v.rfind(name + "-", 0) == 0) {
          out.push_back(v);
        }
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void
  define_foreign_domain(const std::string& domain)
  {
    auto d = m_conn->define_domain(fmt::format("<domain type='kvm'><name>{}</name><memory>65536</memory>"
                                               "<os><type arch='x86_64'>hvm</type></os></domain>",
                                               domain));
    ASSERT_TRUE(d) << d.error().message();
  }

  std::string name;
  StateDir state{ dir() / "ocne" };
  std::shared_ptr<ProbeScript> probe = std::make_shared<ProbeScript>();
  std::shared_ptr<Written> written = std::make_shared<Written>();
  std::optional<ocne::libvirt::Connection> m_conn;
  fs::Path m_boot;
};

json
ignition_of(const std::string& bytes)
{
  return json::parse(bytes);
}

std::string
file_in(const json& ign, std::string_view path)
{
  for (const auto& f : ign["storage"]["files"]) {
    if (f["path"] == path) {
      return *ignition::decode_data_url(f["contents"]["source"].get<std::string>());
    }
  }
  return "<missing>";
}

TEST_F(DriverTest, StartCreatesRecordsAndWaits)
{
  const auto o = options();
  auto started = start(o);
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_EQ(started->outcome, cluster::StartOutcome::created);
  const std::string cp1 = name + "-control-plane-1";
  const std::string w1 = name + "-worker-1";

  // domains, running, with their Ignition as fw_cfg and ocne metadata
  EXPECT_EQ(our_domains(), (std::vector<std::string>{ cp1, w1 }));
  auto cp = m_conn->find_domain(cp1);
  ASSERT_TRUE(cp && *cp);
  EXPECT_TRUE(*(*cp)->is_active());
  auto doc = ocne::libvirt::XmlDoc::parse(*(*cp)->xml(true), "domain");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->text("/domain/sysinfo/entry[@name='opt/com.coreos/config']/@file"),
            "/var/lib/libvirt/images/" + cp1 + "-init.ign");
  EXPECT_EQ(doc->text("/domain/devices/disk/source/@pool"), "images");
  EXPECT_EQ(doc->text("/domain/devices/disk/source/@volume"), cp1 + ".qcow2");
  EXPECT_EQ(doc->text("/domain/memory"), "262144");

  // volumes: overlays on the base volume, one Ignition config each
  EXPECT_EQ(our_volumes(),
            (std::vector<std::string>{ cp1 + "-init.ign", cp1 + ".qcow2", w1 + "-init.ign", w1 + ".qcow2" }));
  auto pool = m_conn->find_pool("images");
  auto overlay = (*pool)->find_volume(w1 + ".qcow2");
  auto overlay_doc = ocne::libvirt::XmlDoc::parse(*(*overlay)->xml(), "volume");
  EXPECT_EQ(overlay_doc->text("/volume/backingStore/path"), "/var/lib/libvirt/images/boot.qcow2-1.33");
  EXPECT_EQ(*overlay_doc->text("/volume/capacity"), std::to_string(20ULL << 30));
  EXPECT_TRUE(written->volumes.count("boot.qcow2-1.33"));

  // each node got its own Ignition config
  const auto init = ignition_of(written->volumes.at(cp1 + "-init.ign"));
  const auto join = ignition_of(written->volumes.at(w1 + "-init.ign"));
  EXPECT_EQ(file_in(init, "/etc/hostname"), cp1 + "\n");
  EXPECT_EQ(file_in(join, "/etc/hostname"), w1 + "\n");
  EXPECT_NE(file_in(init, "/etc/kubernetes/kubeadm.conf").find("kind: InitConfiguration"), std::string::npos);
  EXPECT_NE(file_in(join, "/etc/kubernetes/kubeadm.conf").find("kind: JoinConfiguration"), std::string::npos);
  EXPECT_NE(file_in(join, "/etc/kubernetes/kubeadm.conf").find("apiServerEndpoint: 192.168.122.201:6443"),
            std::string::npos);
  EXPECT_EQ(file_in(join, "/etc/kubernetes/pki/ca.key"), "<missing>");
  EXPECT_NE(file_in(init, "/etc/keepalived/keepalived.conf").find("192.168.122.201"), std::string::npos);

  // kubeconfigs: .local through the forwarded port, .vm through the virtual IP
  const auto local = YAML::LoadFile((dir() / ".kube" / ("kubeconfig." + name + ".local")).string());
  const auto vm = YAML::LoadFile((dir() / ".kube" / ("kubeconfig." + name + ".vm")).string());
  const auto local_server = local["clusters"][0]["cluster"]["server"].as<std::string>();
  EXPECT_EQ(local_server.rfind("https://127.0.0.1:", 0), 0u);
  EXPECT_EQ(vm["clusters"][0]["cluster"]["server"].as<std::string>(), "https://192.168.122.201:6443");
  EXPECT_EQ(*fs::file_mode(dir() / ".kube" / ("kubeconfig." + name + ".local")), 0600u);
  // the API certificate covers the forwarded address
  EXPECT_NE(file_in(init, "/etc/kubernetes/kubeadm.conf").find("- 127.0.0.1"), std::string::npos);

  // the wait went through the .local kubeconfig for one node
  ASSERT_EQ(probe->waits.size(), 1u);
  EXPECT_EQ(probe->waits[0].first, (dir() / ".kube" / ("kubeconfig." + name + ".local")).string());
  EXPECT_EQ(probe->waits[0].second, 1u);

  // the cache records every object, with the domains' UUIDs
  auto record = cached();
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state.at("phase"), "running");
  EXPECT_EQ(record->state.at("apiAddress"), "192.168.122.201");
  EXPECT_EQ(record->resources.size(), 9u);
  int domains = 0;
  for (const auto& r : record->resources) {
    if (r.kind == "domain") {
      ++domains;
      EXPECT_EQ(r.id.size(), 36u) << r.name;
    }
  }
  EXPECT_EQ(domains, 2);
  auto allocation = AddressBook(state).find(name);
  ASSERT_TRUE(allocation && *allocation);
  EXPECT_EQ((*allocation)->ip, "192.168.122.201");
  EXPECT_EQ(local_server, fmt::format("https://127.0.0.1:{}", (*allocation)->port));
  // flannel runs on the bridged interface, and the cache remembers it for a later start
  EXPECT_EQ(record->state.at("cniInterface"), "enp1s0");
  ASSERT_EQ(probe->addons.size(), 1u);
  EXPECT_EQ(probe->addons[0].second.interfaces, std::vector<std::string>{ "enp1s0" });
}

TEST_F(DriverTest, DeleteRemovesExactlyWhatStartCreated)
{
  const auto o = options();
  define_foreign_domain("bystander-worker-1");
  ASSERT_TRUE(start(o));
  auto pool = m_conn->find_pool("images");
  ASSERT_TRUE((*pool)->create_volume("<volume><name>" + name + "-notes.img</name><capacity>1</capacity></volume>"));
  auto deleted = remove(o);
  ASSERT_TRUE(deleted) << deleted.error().message();
  EXPECT_TRUE(deleted->was_cached);
  EXPECT_TRUE(our_domains().empty());
  // the volume ocne did not create stays, and so does the shared base volume
  EXPECT_EQ(our_volumes(), std::vector<std::string>{ name + "-notes.img" });
  EXPECT_TRUE(*(*pool)->find_volume("boot.qcow2-1.33"));
  EXPECT_TRUE(*m_conn->find_domain("bystander-worker-1"));
  EXPECT_FALSE(std::filesystem::exists(dir() / ".kube" / ("kubeconfig." + name + ".local")));
  EXPECT_FALSE(std::filesystem::exists(dir() / ".kube" / ("kubeconfig." + name + ".vm")));
  EXPECT_FALSE(*AddressBook(state).find(name));
  EXPECT_FALSE(cached());
  // idempotent
  auto again = remove(o);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->was_cached);
}

TEST_F(DriverTest, SecondStartReportsTheRunningCluster)
{
  const auto o = options();
  ASSERT_TRUE(start(o));
  const auto before = cached()->resources;
  auto again = start(o);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->outcome, cluster::StartOutcome::already_running);
  EXPECT_EQ(cached()->resources, before);
  // The add-ons are checked again (a run killed before them finishes them).
  ASSERT_EQ(probe->addons.size(), 2u);
  EXPECT_EQ(probe->addons[1].second.pod_subnet, probe->addons[0].second.pod_subnet);
  EXPECT_EQ(probe->addons[1].second.interfaces, probe->addons[0].second.interfaces);
  EXPECT_EQ(our_domains().size(), 2u);
  // running but the API does not answer: an error, and nothing is removed
  probe->count_result = make_error(ErrorKind::unavailable, "connection refused");
  auto broken = start(o);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message(),
            fmt::format("cluster {0} exists (domain {0}-control-plane-1 is running) but its Kubernetes API does not "
                        "answer through {1}: connection refused; 'ocne cluster delete -C {0}' removes it",
                        name,
                        (dir() / ".kube" / ("kubeconfig." + name + ".local")).string()));
  EXPECT_EQ(our_domains().size(), 2u);
  EXPECT_TRUE(cached());
}

TEST_F(DriverTest, NodeNameTakenByAForeignDomain)
{
  const auto o = options();
  define_foreign_domain(name + "-worker-1");
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind(), ErrorKind::already_exists);
  EXPECT_EQ(started.error().message(),
            fmt::format("domain {0}-worker-1 already exists on test:///default and was not created by ocne for "
                        "cluster {0}; it is left alone: choose another cluster name or remove that domain",
                        name));
  // nothing was created, the foreign domain is untouched, nothing is cached
  EXPECT_EQ(our_domains(), std::vector<std::string>{ name + "-worker-1" });
  EXPECT_TRUE(our_volumes().empty());
  EXPECT_FALSE(cached());
}

TEST_F(DriverTest, FirstNodeNameTakenByAForeignDomain)
{
  const auto o = options();
  define_foreign_domain(name + "-control-plane-1");
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(),
            fmt::format("domain {0}-control-plane-1 already exists on test:///default and was not created by ocne "
                        "for cluster {0}; it is left alone: choose another cluster name or remove that domain",
                        name));
  EXPECT_TRUE(*m_conn->find_domain(name + "-control-plane-1"));
  // delete knows nothing of it either
  ASSERT_TRUE(remove(o));
  EXPECT_TRUE(*m_conn->find_domain(name + "-control-plane-1"));
}

TEST_F(DriverTest, TooLittleMemory)
{
  auto o = options();
  o.worker.memory_kib = 1ULL << 30; // 1 TiB
  auto started = start(o);
  ASSERT_FALSE(started);
  const auto memory = m_conn->host_memory();
  EXPECT_EQ(started.error().message(),
            fmt::format("the 2 nodes need 1024.2 GiB of memory but the libvirt host test:///default has {:.1f} GiB in "
                        "all; use fewer or smaller nodes (providers.libvirt.controlPlaneNode/workerNode.memory)",
                        static_cast<double>(memory->total_kib) / (1 << 20)));
  EXPECT_TRUE(our_domains().empty());
}

TEST_F(DriverTest, DiskSmallerThanTheBootImage)
{
  auto o = options();
  o.worker.storage_bytes = 1 << 20;
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(),
            fmt::format("node {}-worker-1 gets 0.0 GiB of disk but the boot image is 0.1 GiB; raise "
                        "providers.libvirt.workerNode.storage",
                        name));
  EXPECT_TRUE(our_domains().empty());
  EXPECT_FALSE(cached());
}

TEST_F(DriverTest, UnreadableBootImage)
{
  auto o = options();
  o.boot_volume_name = name + "-boot.qcow2";
  const auto bad = write("not-a-disk.qcow2", "this is not qcow2");
  o.boot_image = [bad](std::string_view, ProgressSink&) -> Result<fs::Path> { return bad; };
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message().rfind("the boot image " + bad.string() + ": ", 0), 0u)
    << started.error().message();
  auto missing = options();
  missing.boot_volume_name = name + "-boot.qcow2";
  missing.boot_image = [this](std::string_view, ProgressSink&) -> Result<fs::Path> { return dir() / "missing.qcow2"; };
  started = start(missing);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message().find((dir() / "missing.qcow2").string()), std::string::npos)
    << started.error().message();
  EXPECT_FALSE(*(*m_conn->find_pool("images"))->find_volume(name + "-boot.qcow2"));
}

TEST_F(DriverTest, InterruptedBootImageUploadLeavesNoVolume)
{
  auto o = options();
  o.boot_volume_name = name + "-boot.qcow2";
  written->fail_volume = name + "-boot.qcow2";
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "upload to volume " + name + "-boot.qcow2 stopped: connection reset");
  EXPECT_FALSE(*(*m_conn->find_pool("images"))->find_volume(name + "-boot.qcow2"));
  EXPECT_TRUE(our_domains().empty());
  EXPECT_FALSE(cached());
}

TEST_F(DriverTest, RealUploadIsUnsupportedOnTheTestDriver)
{
  auto o = options();
  o.boot_volume_name = name + "-boot.qcow2";
  DriverDeps deps;
  deps.probe = std::make_unique<FakeProbe>(probe);
  LibvirtDriver d(o, std::move(deps));
  auto started = cluster::start_cluster(d, { .name = name, .provider = "libvirt" }, state, null_progress());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(),
            "cannot upload " + m_boot.string() + " to volume " + name +
              "-boot.qcow2: this function is not supported by the connection driver: "
              "virStorageVolUpload");
  EXPECT_FALSE(*(*m_conn->find_pool("images"))->find_volume(name + "-boot.qcow2"));
}

TEST_F(DriverTest, UnreachableDaemon)
{
  auto o = options();
  o.uri = "qemu:///system?socket=" + (dir() / "none.sock").string();
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind(), ErrorKind::unavailable);
  EXPECT_EQ(started.error().message().rfind("cannot connect to libvirt at " + o.uri + ": ", 0), 0u);
  EXPECT_NE(started.error().message().find("no libvirt daemon answers on the socket"), std::string::npos);
  EXPECT_FALSE(cached());
}

TEST_F(DriverTest, FailedWaitRemovesEverything)
{
  const auto o = options();
  probe->wait_result = make_error(ErrorKind::auth, "the API server refused the admin certificate");
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "the API server refused the admin certificate");
  EXPECT_TRUE(our_domains().empty());
  EXPECT_TRUE(our_volumes().empty());
  EXPECT_FALSE(std::filesystem::exists(dir() / ".kube" / ("kubeconfig." + name + ".local")));
  EXPECT_FALSE(*AddressBook(state).find(name));
  EXPECT_FALSE(cached());
}

TEST_F(DriverTest, TimeoutKeepsTheMachinesAndDeleteRemovesThem)
{
  const auto o = options();
  probe->wait_result = make_error(ErrorKind::timeout, "the Kubernetes API did not become ready within 15m");
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(),
            fmt::format("the Kubernetes API did not become ready within 15m; what was created is kept and "
                        "recorded: 'ocne cluster delete -C {}' removes it",
                        name));
  EXPECT_EQ(our_domains(), std::vector<std::string>{ name + "-control-plane-1" });
  EXPECT_EQ(cached()->state.at("phase"), "failed");
  ASSERT_TRUE(remove(o));
  EXPECT_TRUE(our_domains().empty());
  EXPECT_TRUE(our_volumes().empty());
  EXPECT_FALSE(cached());
}

TEST_F(DriverTest, StartInstallsTheAddonsThroughTheHostKubeconfig)
{
  auto o = options();
  o.pod_subnet = "10.244.0.0/16,fd00:10:244::/56";
  o.cni = "flannel";
  auto started = start(o);
  ASSERT_TRUE(started) << started.error().message();
  ASSERT_EQ(probe->addons.size(), 1u);
  EXPECT_EQ(probe->addons[0].first, (dir() / ".kube" / ("kubeconfig." + name + ".local")).string());
  const auto& request = probe->addons[0].second;
  EXPECT_EQ(request.cni, "flannel");
  EXPECT_EQ(request.pod_subnet, "10.244.0.0/16,fd00:10:244::/56");
  EXPECT_EQ(request.interfaces, std::vector<std::string>{ cached()->state.at("cniInterface") });
}

TEST_F(DriverTest, AddonsThatNeverBecomeReadyKeepTheClusterRecorded)
{
  const auto o = options();
  probe->addons_result =
    make_error(ErrorKind::timeout, "the cluster's add-ons did not become ready: flannel: timed out after 15m");
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(),
            fmt::format("the cluster's add-ons did not become ready: flannel: timed out after 15m; what was created "
                        "is kept and recorded: 'ocne cluster delete -C {}' removes it",
                        name));
  EXPECT_EQ(our_domains().size(), 2u);
  EXPECT_EQ(cached()->state.at("phase"), "failed");
  ASSERT_TRUE(remove(o));
  EXPECT_TRUE(our_domains().empty());
  EXPECT_FALSE(cached());
}

TEST_F(DriverTest, PoolThatCannotBeCreated)
{
  auto o = options();
  o.storage_pool = name + "-pool";
  // another (inactive) pool owns the default path already
  auto pools = m_conn->pools();
  for (auto& p : *pools) {
    if (*p.target_path() == "/var/lib/libvirt/images") {
      GTEST_SKIP() << "an earlier test in this process made a pool at the default path";
    }
  }
  auto blocker = m_conn->define_pool("<pool type='dir'><name>" + name +
                                     "-blocker</name><target><path>/var/lib/libvirt/images</path></target></pool>");
  ASSERT_TRUE(blocker);
  auto started = start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message().rfind(fmt::format("cannot create storage pool {}-pool at /var/lib/libvirt/"
                                                        "images on test:///default: ",
                                                        name),
                                            0),
            0u)
    << started.error().message();
  EXPECT_FALSE(*m_conn->find_pool(name + "-pool"));
  EXPECT_FALSE(cached());
  ASSERT_TRUE(blocker->undefine());
}

TEST_F(DriverTest, UserNetworkingWhenTheHostHasNoNetworks)
{
  const auto node = write("node.xml", R"(<node>
  <cpu><mhz>2000</mhz><model>x86_64</model><active>2</active><nodes>1</nodes><sockets>1</sockets>
       <cores>2</cores><threads>1</threads></cpu>
  <memory>8388608</memory>
  <pool type='dir'><name>images</name><target><path>/var/lib/libvirt/images</path></target>
    <volume type='file'><name>boot.qcow2-1.33</name><capacity unit='M'>64</capacity>
      <target><path>/var/lib/libvirt/images/boot.qcow2-1.33</path><format type='qcow2'/></target></volume>
  </pool>
</node>)");
  auto o = options();
  o.uri = "test://" + node.string();
  o.worker_nodes = 0;
  auto started = start(o);
  ASSERT_TRUE(started) << started.error().message();
  const auto init = ignition_of(written->volumes.at(name + "-control-plane-1-init.ign"));
  EXPECT_NE(file_in(init, "/etc/kubernetes/kubeadm.conf").find("controlPlaneEndpoint: 127.0.0.1:6443"),
            std::string::npos);
  EXPECT_NE(file_in(init, "/etc/kubernetes/kubeadm.conf").find("bindPort: 6443"), std::string::npos);
  EXPECT_EQ(file_in(init, "/etc/keepalived/keepalived.conf"), "<missing>");
  EXPECT_NE(file_in(init, "/etc/sysconfig/network-scripts/ifcfg-enp0s2"), "<missing>");
  EXPECT_EQ(file_in(init, "/etc/sysconfig/network-scripts/ifcfg-enp1s0"), "<missing>");
  // a single schedulable control plane
  EXPECT_NE(file_in(init, "/etc/kubernetes/kubeadm.conf").find("taints: []"), std::string::npos);
  const auto vm = YAML::LoadFile((dir() / ".kube" / ("kubeconfig." + name + ".vm")).string());
  EXPECT_EQ(vm["clusters"][0]["cluster"]["server"].as<std::string>(), "https://127.0.0.1:6443");
  // no bridge: flannel picks its interface itself
  EXPECT_FALSE(cached()->state.contains("cniInterface"));
  ASSERT_FALSE(probe->addons.empty());
  EXPECT_TRUE(probe->addons.back().second.interfaces.empty());
  // 127.0.0.1 is no virtual IP: no HA monitor.
  EXPECT_FALSE(probe->addons.back().second.ha_monitor);
}

TEST_F(DriverTest, WaitForAllNodes)
{
  auto o = options();
  o.wait_for_all_nodes = true;
  ASSERT_TRUE(start(o));
  ASSERT_EQ(probe->waits.size(), 2u);
  EXPECT_EQ(probe->waits[1].second, 2u);
}

TEST_F(DriverTest, TheHaMonitorIsAnAddonOfAVirtualIpCluster)
{
  const auto o = options();
  ASSERT_TRUE(start(o));
  ASSERT_EQ(probe->addons.size(), 1u);
  EXPECT_TRUE(probe->addons[0].second.ha_monitor); // the virtual IP 192.168.122.201
  // Started again: asked for again.
  ASSERT_TRUE(start(o));
  ASSERT_EQ(probe->addons.size(), 2u);
  EXPECT_TRUE(probe->addons[1].second.ha_monitor);
}

} // namespace
} // namespace ocne::providers::libvirt
