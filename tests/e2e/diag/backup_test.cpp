// `ocne cluster backup` through the binary. The etcd container is a
// distroless image: it runs etcdctl with exactly the arguments etcdctl 3.5
// takes and nothing else (no shell, no coreutils: 127 as the runtime says).
// A snapshot etcdctl saves under a hostPath volume lands in the node's one
// in-memory filesystem (fake_nodes.hpp), where ocne's node pod hashes,
// reads and removes it with the host's tools.

#include "tests/e2e/diag/diag_world.hpp"
#include "tests/support/child.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace ocne::test {
namespace {

using nlohmann::json;
namespace sfs = std::filesystem;

bool
starts_with(const std::string& s, const std::string& prefix)
{
  return s.rfind(prefix, 0) == 0;
}

const std::vector<std::string> k_etcdctl = { "etcdctl",
                                             "--endpoints=https://127.0.0.1:2379",
                                             "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
                                             "--cert=/etc/kubernetes/pki/etcd/server.crt",
                                             "--key=/etc/kubernetes/pki/etcd/server.key" };

class ClusterBackup : public DiagCliTest
{
protected:
  void
  SetUp() override
  {
    DiagCliTest::SetUp();
    add_node({ .name = "cp-1", .control_plane = true, .ready = false });
    add_node({ .name = "cp-2", .control_plane = true });
    for (const auto* node : { "cp-1", "cp-2" }) {
      add_etcd_pod(node, "/var/lib/etcd");
      // etcd's own files, which a backup must leave alone.
      hosts().put_file(node, "/var/lib/etcd/member/snap/db", "bbolt");
    }
    // 300 KiB of "snapshot", so it spans many frames.
    for (int i = 0; snapshot.size() < 300 * 1024; ++i) {
      snapshot += "etcd-snapshot-block-" + std::to_string(i) + "\n";
    }
    server().on_exec([this](const kube::ExecCall& call, kube::ExecIo& io) {
      if (call.ns == "kube-system" && starts_with(call.pod, "etcd-")) {
        return etcd_container(call, io);
      }
      return hosts().respond(call, io);
    });
  }

  // kubeadm's static pod: etcd with --data-dir=/var/lib/etcd, mounted from
  // data_host_path (kubeadm: /var/lib/etcd), and the etcd certificates.
  void
  add_etcd_pod(const std::string& node, const json& data_volume_source)
  {
    const std::string name = "etcd-" + node;
    json data_volume = { { "name", "etcd-data" } };
    if (data_volume_source.is_string()) {
      data_volume["hostPath"] = { { "path", data_volume_source }, { "type", "DirectoryOrCreate" } };
    } else {
      data_volume.update(data_volume_source);
    }
    server().create(
      { { "apiVersion", "v1" },
        { "kind", "Pod" },
        { "metadata",
          { { "name", name },
            { "namespace", "kube-system" },
            { "labels", { { "component", "etcd" }, { "tier", "control-plane" } } } } },
        { "spec",
          { { "nodeName", node },
            { "hostNetwork", true },
            { "containers",
              json::array({ { { "name", "etcd" },
                              { "image", "registry.k8s.io/etcd:3.5.16-0" },
                              { "command",
                                { "etcd",
                                  "--advertise-client-urls=https://192.168.122.11:2379",
                                  "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
                                  "--client-cert-auth=true",
                                  "--data-dir=/var/lib/etcd",
                                  "--key-file=/etc/kubernetes/pki/etcd/server.key",
                                  "--listen-client-urls=https://127.0.0.1:2379,https://192.168.122.11:2379",
                                  "--name=" + node,
                                  "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt" } },
                              { "volumeMounts",
                                json::array({ { { "mountPath", "/var/lib/etcd" }, { "name", "etcd-data" } },
                                              { { "mountPath", "/etc/kubernetes/pki/etcd" },
                                                { "name", "etcd-certs" } } }) } } }) },
            { "volumes",
              json::array(
                { { { "name", "etcd-certs" },
                    { "hostPath", { { "path", "/etc/kubernetes/pki/etcd" }, { "type", "DirectoryOrCreate" } } } },
                  data_volume }) } } } });
    patch_pod_status(
      "kube-system",
      name,
      { { "phase", "Running" },
        { "conditions", json::array({ { { "type", "Ready" }, { "status", "True" } } }) },
        { "containerStatuses",
          json::array({ { { "name", "etcd" },
                          { "image", "registry.k8s.io/etcd:3.5.16-0" },
                          { "imageID", "" },
                          { "ready", true },
                          { "started", true },
                          { "restartCount", 0 },
                          { "state", { { "running", { { "startedAt", "2026-01-01T00:00:00Z" } } } } } } }) } });
  }

  // The etcd container of kubeadm's static pod (distroless): etcdctl 3.5
  // with the flags it takes, against the local member with kubeadm's
  // certificates. Member ids: etcd-cp-1 0x1111, etcd-cp-2 0x2222, ...
  int
  etcd_container(const kube::ExecCall& call, kube::ExecIo& io)
  {
    const auto& cmd = call.command;
    if (call.container != "etcd") {
      io.err("container " + call.container + " not found\n");
      return 126;
    }
    const std::uint64_t member = 0x1111ULL * static_cast<std::uint64_t>(call.pod.back() - '0');
    auto with = [&](std::vector<std::string> tail) {
      auto v = k_etcdctl;
      v.insert(v.end(), tail.begin(), tail.end());
      return v;
    };
    if (cmd == with({ "endpoint", "status", "-w", "json" })) {
      const json status = json::array({ { { "Endpoint", "https://127.0.0.1:2379" },
                                          { "Status",
                                            { { "header",
                                                { { "cluster_id", 99 },
                                                  { "member_id", member },
                                                  { "revision", revision.load() },
                                                  { "raft_term", 3 } } },
                                              { "version", "3.5.16" },
                                              { "dbSize", 4096 },
                                              { "leader", leader.load() },
                                              { "raftIndex", 5000 },
                                              { "raftTerm", 3 } } } } });
      io.out(status.dump() + "\n");
      return 0;
    }
    if (cmd.size() == k_etcdctl.size() + 3 && std::equal(k_etcdctl.begin(), k_etcdctl.end(), cmd.begin()) &&
        cmd[k_etcdctl.size()] == "snapshot" && cmd[k_etcdctl.size() + 1] == "save") {
      const auto path = cmd.back();
      {
        const std::lock_guard lock(mutex);
        snapshots_on.push_back(call.pod);
        saved_at.push_back(path);
      }
      if (etcd_fails) {
        io.err("{\"level\":\"info\",\"msg\":\"created temporary db file\"}\nError: context deadline exceeded\n");
        return 1;
      }
      revision += revision_moves_by;
      write_in_container(call, path, snapshot);
      io.err("{\"level\":\"info\",\"msg\":\"saved\",\"path\":\"" + path + "\"}\n");
      io.out("Snapshot saved at " + path + "\n");
      return 0;
    }
    // What the container runtime says for a program the image lacks (sh,
    // sha256sum, cat, ...) or etcdctl arguments it does not take.
    if (cmd.empty() || cmd[0] != "etcdctl") {
      io.err("OCI runtime exec failed: exec failed: unable to start container process: exec: \"" +
             (cmd.empty() ? std::string() : cmd[0]) + "\": executable file not found in $PATH: unknown\n");
      return 127;
    }
    io.err("Error: unknown command or flag\n");
    return 1;
  }

  // A file the container writes: on the host when a hostPath volume holds
  // its folder, else in the container's own (unreachable) filesystem.
  void
  write_in_container(const kube::ExecCall& call, const std::string& path, const std::string& content)
  {
    const auto pod = server().get("v1", "Pod", call.ns, call.pod);
    const auto dir = path.substr(0, path.rfind('/'));
    for (const auto& c : (*pod)["spec"]["containers"]) {
      for (const auto& m : c.value("volumeMounts", json::array())) {
        if (c.value("name", "") != call.container || m.value("mountPath", "") != dir) {
          continue;
        }
        for (const auto& v : (*pod)["spec"]["volumes"]) {
          if (v.value("name", "") == m.value("name", "") && v.contains("hostPath")) {
            hosts().put_file(
              (*pod)["spec"]["nodeName"], v["hostPath"].value("path", "") + path.substr(dir.size()), content);
            return;
          }
        }
      }
    }
    const std::lock_guard lock(mutex);
    container_files[call.pod + ":" + path] = content;
  }

  std::vector<std::string>
  snapshots_left(const std::string& node, const std::string& dir = "/var/lib/etcd")
  {
    std::vector<std::string> out;
    for (const auto& f : hosts().files_under(node, dir)) {
      if (starts_with(f, dir + "/ocne-backup-")) {
        out.push_back(f);
      }
    }
    return out;
  }

  std::vector<json>
  backup_pods()
  {
    return server().list("v1", "Pod", "ocne-system");
  }

  std::atomic<std::uint64_t> leader{ 0x2222 };
  std::atomic<std::int64_t> revision{ 4711 };
  std::int64_t revision_moves_by = 0;
  std::mutex mutex;
  std::vector<std::string> snapshots_on;
  std::vector<std::string> saved_at;
  std::map<std::string, std::string> container_files;
  std::string snapshot;
  bool etcd_fails = false;
};

TEST_F(ClusterBackup, SnapshotFromAReadyControlPlaneIsCheckedAndWrittenPrivately)
{
  const auto out = dir() / "backups" / "etcd.db";
  sfs::create_directories(out.parent_path());
  const auto r = ocne({ "cluster", "backup", "-o", out.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out, std::ios::binary);
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), snapshot);
  struct stat st
  {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  // cp-1 is NotReady: its etcd pod is passed over.
  EXPECT_EQ(snapshots_on, std::vector<std::string>{ "etcd-cp-2" });
  // Into the data directory, under a name of its own.
  ASSERT_EQ(saved_at.size(), 1U);
  EXPECT_TRUE(starts_with(saved_at[0], "/var/lib/etcd/ocne-backup-")) << saved_at[0];
  EXPECT_EQ(saved_at[0].size(), std::string("/var/lib/etcd/ocne-backup-").size() + 16 + 3) << saved_at[0];
  for (const auto& call : server().exec_calls()) {
    if (call.ns == "kube-system") {
      EXPECT_EQ(call.pod, "etcd-cp-2");
      EXPECT_EQ(call.command.at(0), "etcdctl") << "the etcd image has no shell";
    } else {
      EXPECT_EQ(call.ns, "ocne-system");
      EXPECT_FALSE(server().get("v1", "Pod", call.ns, call.pod).has_value()) << "the node pod is left";
    }
  }
  // Hashed, read and removed on the node, by the node pod.
  const auto commands = hosts().commands();
  for (const auto& expected : { "cp-2: sha256sum " + saved_at[0],
                                "cp-2: cat " + saved_at[0],
                                "cp-2: rm -f " + saved_at[0] + " " + saved_at[0] + ".part" }) {
    EXPECT_NE(std::find(commands.begin(), commands.end(), expected), commands.end()) << expected;
  }
  EXPECT_TRUE(snapshots_left("cp-2").empty()) << "the snapshot is left on the node";
  EXPECT_EQ(hosts().files_under("cp-2", "/var/lib/etcd"), std::vector<std::string>{ "/var/lib/etcd/member/snap/db" });
  EXPECT_NE(r.out.find("from kube-system/etcd-cp-2 (node cp-2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::to_string(snapshot.size()) + " bytes), revision 4711, SHA-256 " + sha256_hex(snapshot)),
            std::string::npos)
    << r.out;
  EXPECT_EQ(r.out.find("Secrets"), std::string::npos) << "no Cluster API here\n" << r.out;
}

TEST_F(ClusterBackup, TheLeaderTakesTheSnapshot)
{
  // Both control planes Ready; the second member leads.
  server().apply_status(json::parse(R"({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "cp-1"},
    "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "ok",
      "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}})"),
                        "kubelet");
  auto r = ocne({ "cluster", "backup", "-o", (dir() / "a.db").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(snapshots_on, std::vector<std::string>{ "etcd-cp-2" });
  EXPECT_NE(r.out.find("from kube-system/etcd-cp-2 (node cp-2)"), std::string::npos) << r.out;
  // Now the first leads: asked first, it takes it, and cp-1's node pod reads it.
  leader = 0x1111;
  snapshots_on.clear();
  r = ocne({ "cluster", "backup", "-o", (dir() / "b.db").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(snapshots_on, std::vector<std::string>{ "etcd-cp-1" });
  const auto commands = hosts().commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "cp-1: cat " + saved_at.back()), commands.end());
  EXPECT_TRUE(snapshots_left("cp-1").empty());
  // No member leads (an election): the first Ready one, with a warning.
  leader = 0;
  snapshots_on.clear();
  r = ocne({ "cluster", "backup", "-o", (dir() / "c.db").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(snapshots_on, std::vector<std::string>{ "etcd-cp-1" });
  EXPECT_NE(r.err.find("no etcd member says it leads; using etcd-cp-1"), std::string::npos) << r.err;
}

TEST_F(ClusterBackup, ACorruptedTransferIsRefusedAndLeavesNoFile)
{
  hosts().corrupt_reads_of("/var/lib/etcd/ocne-backup-");
  const auto out = dir() / "backups" / "etcd.db";
  sfs::create_directories(out.parent_path());
  const auto r = ocne({ "cluster", "backup", "-o", out.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("do not match the snapshot taken (SHA-256 " + sha256_hex(snapshot) + " there"),
            std::string::npos)
    << r.err;
  EXPECT_NE(r.err.find("nothing was written"), std::string::npos) << r.err;
  EXPECT_TRUE(sfs::is_empty(out.parent_path())) << "a file or a temporary file was left";
  ASSERT_EQ(saved_at.size(), 1U);
  EXPECT_TRUE(snapshots_left("cp-2").empty()) << "the snapshot is left on the node";
  EXPECT_TRUE(backup_pods().empty());
}

TEST_F(ClusterBackup, AFailingEtcdctlIsReportedWithItsMessage)
{
  etcd_fails = true;
  const auto out = dir() / "etcd.db";
  const auto r = ocne({ "cluster", "backup", "-o", out.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the snapshot failed (exit code 1): {\"level\":\"info\",\"msg\":\"created temporary db file\"}; "
                       "Error: context deadline exceeded"),
            std::string::npos)
    << r.err;
  EXPECT_FALSE(sfs::exists(out));
  // Removed anyway (etcdctl may leave its .part file).
  const auto commands = hosts().commands();
  ASSERT_EQ(saved_at.size(), 1U);
  EXPECT_NE(std::find(commands.begin(), commands.end(), "cp-2: rm -f " + saved_at[0] + " " + saved_at[0] + ".part"),
            commands.end());
  EXPECT_TRUE(backup_pods().empty());
}

TEST_F(ClusterBackup, TheDataDirectoryIsFoundThroughThePodsHostPathVolume)
{
  // etcd-cp-2's data directory is /data/etcd on the host, mounted at /var/lib/etcd.
  server().remove("v1", "Pod", "kube-system", "etcd-cp-2");
  add_etcd_pod("cp-2", "/data/etcd");
  const auto r = ocne({ "cluster", "backup", "-o", (dir() / "etcd.db").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(saved_at.size(), 1U);
  const auto on_host = "/data/etcd" + saved_at[0].substr(std::string("/var/lib/etcd").size());
  const auto commands = hosts().commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "cp-2: cat " + on_host), commands.end()) << on_host;
  EXPECT_TRUE(snapshots_left("cp-2", "/data/etcd").empty());
}

TEST_F(ClusterBackup, ADataDirectoryNotOnAHostPathIsRefused)
{
  server().remove("v1", "Pod", "kube-system", "etcd-cp-2");
  add_etcd_pod("cp-2", json{ { "emptyDir", json::object() } });
  const auto r = ocne({ "cluster", "backup", "-o", (dir() / "etcd.db").string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
    r.err.find("ocne: error: pod kube-system/etcd-cp-2: the etcd data directory /var/lib/etcd is not on a writable "
               "hostPath volume"),
    std::string::npos)
    << r.err;
  EXPECT_TRUE(saved_at.empty()) << "no snapshot is taken where it could not be read and removed";
  EXPECT_TRUE(container_files.empty());
  EXPECT_FALSE(sfs::exists(dir() / "etcd.db"));
}

TEST_F(ClusterBackup, SnapshotsOldRunsLeftAreSweptRecentOnesKept)
{
  hosts().put_file("cp-2", "/var/lib/etcd/ocne-backup-killedrun.db", "old");
  hosts().put_file("cp-2", "/var/lib/etcd/ocne-backup-killedrun.db.part", "old");
  hosts().put_file("cp-2", "/var/lib/etcd/ocne-backup-running.db", "being read by another run");
  hosts().host("cp-2").age_minutes["/var/lib/etcd/ocne-backup-killedrun.db"] = 90;
  hosts().host("cp-2").age_minutes["/var/lib/etcd/ocne-backup-killedrun.db.part"] = 95;
  hosts().host("cp-2").age_minutes["/var/lib/etcd/ocne-backup-running.db"] = 5;
  hosts().host("cp-2").age_minutes["/var/lib/etcd/member/snap/db"] = 900;
  const auto r = ocne({ "cluster", "backup", "-o", (dir() / "etcd.db").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(snapshots_left("cp-2"), std::vector<std::string>{ "/var/lib/etcd/ocne-backup-running.db" });
  EXPECT_EQ(hosts().files_under("cp-2", "/var/lib/etcd"),
            (std::vector<std::string>{ "/var/lib/etcd/member/snap/db", "/var/lib/etcd/ocne-backup-running.db" }));
  EXPECT_NE(r.err.find("Removed /var/lib/etcd/ocne-backup-killedrun.db on node cp-2, left by an earlier run"),
            std::string::npos)
    << r.err;
}

TEST_F(ClusterBackup, WritesDuringTheSnapshotShowTheRevisionRange)
{
  revision_moves_by = 3;
  const auto r = ocne({ "cluster", "backup", "-o", (dir() / "etcd.db").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("bytes), revision 4711 to 4714, SHA-256"), std::string::npos) << r.out;
}

TEST_F(ClusterBackup, CtrlCWhileReadingRemovesTheSnapshotFromTheNode)
{
  std::mutex m;
  std::condition_variable cv;
  bool midway = false;
  bool signalled = false;
  hosts().on_read_midway("/var/lib/etcd/ocne-backup-", [&] {
    std::unique_lock lock(m);
    midway = true;
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(60), [&] { return signalled; });
  });
  const auto out = dir() / "etcd.db";
  const auto err_file = dir() / "err.txt";
  const pid_t pid =
    spawn_child({ ocne_binary().string(), "cluster", "backup", "-o", out.string(), "-k", kubeconfig().string() },
                ocne_environment(dir(), {}),
                [&](posix_spawn_file_actions_t& a) {
                  posix_spawn_file_actions_addopen(&a, 0, "/dev/null", O_RDONLY, 0);
                  posix_spawn_file_actions_addopen(&a, 1, "/dev/null", O_WRONLY, 0);
                  posix_spawn_file_actions_addopen(&a, 2, err_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
                });
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return midway; })) << "the snapshot was never read";
    ASSERT_EQ(snapshots_left("cp-2").size(), 1U);
    ::kill(pid, SIGINT);
    signalled = true;
    cv.notify_all();
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::ifstream err_in(err_file);
  std::stringstream err;
  err << err_in.rdbuf();
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 130) << err.str();
  EXPECT_TRUE(snapshots_left("cp-2").empty()) << "the snapshot is left on the node after Ctrl-C\n" << err.str();
  EXPECT_TRUE(backup_pods().empty()) << "the node pod is left after Ctrl-C";
  for (const auto& e : sfs::directory_iterator(dir())) {
    EXPECT_FALSE(starts_with(e.path().filename().string(), "etcd.db")) << e.path() << " is left";
  }
}

TEST_F(ClusterBackup, NoUsableEtcdPodIsAnError)
{
  server().merge_patch("v1",
                       "Pod",
                       "kube-system",
                       "etcd-cp-2",
                       json::parse(R"({"status": {"conditions": [{"type": "Ready", "status": "False"}]}})"),
                       "status");
  auto r = ocne({ "cluster", "backup", "-o", (dir() / "x.db").string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no etcd pod can take a snapshot: etcd-cp-1: node cp-1 is not Ready; etcd-cp-2: not Ready"),
            std::string::npos)
    << r.err;
  r = ocne({ "cluster", "backup" });
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(ClusterBackup, ClusterApiClustersNameTheSecretsARestoreNeeds)
{
  OCNE_REQUIRE_SHARED();
  load_capi_crds();
  add_capi_cluster({});
  const auto r = ocne({ "cluster", "backup", "-o", (dir() / "etcd.db").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("also needs these Secrets: demo/demo-etcd, demo/demo-ca"), std::string::npos) << r.out;
}

} // namespace
} // namespace ocne::test
