// `ocne cluster backup` through the binary: the etcd pod on a Ready control
// plane is asked (over the exec WebSocket) to take a snapshot; the test
// server plays etcdctl in that container.

#include "tests/integration/diag/diag_world.hpp"
#include "tests/support/shared_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <sstream>
#include <sys/stat.h>

namespace ocne::test {
namespace {

using nlohmann::json;
namespace sfs = std::filesystem;

std::string
sha256_hex(const std::string& data)
{
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  std::string out;
  for (unsigned char c : md) {
    out += "0123456789abcdef"[c >> 4];
    out += "0123456789abcdef"[c & 15];
  }
  return out;
}

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
      const std::string pod = std::string("etcd-") + node;
      add_pod("kube-system", pod, node, { "etcd" });
      server().merge_patch("v1", "Pod", "kube-system", pod,
                           { { "metadata", { { "labels", { { "component", "etcd" }, { "tier", "control-plane" } } } } } });
    }
    // 300 KiB of "snapshot", so it spans many frames.
    for (int i = 0; snapshot.size() < 300 * 1024; ++i) {
      snapshot += "etcd-snapshot-block-" + std::to_string(i) + "\n";
    }
    server().on_exec([this](const kube::ExecCall& call, kube::ExecIo& io) { return etcd_container(call, io); });
  }

  // The etcd container of kubeadm's static pod: etcdctl 3.5 with the flags
  // it takes, against the local member with kubeadm's certificates. Member
  // ids: etcd-cp-1 0x1111, etcd-cp-2 0x2222, ...
  int
  etcd_container(const kube::ExecCall& call, kube::ExecIo& io)
  {
    const std::vector<std::string> etcdctl = { "etcdctl",
                                               "--endpoints=https://127.0.0.1:2379",
                                               "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
                                               "--cert=/etc/kubernetes/pki/etcd/server.crt",
                                               "--key=/etc/kubernetes/pki/etcd/server.key" };
    const auto& cmd = call.command;
    if (call.container != "etcd") {
      io.err("container " + call.container + " not found\n");
      return 126;
    }
    const std::uint64_t member = 0x1111ULL * static_cast<std::uint64_t>(call.pod.back() - '0');
    auto with = [&](std::vector<std::string> tail) {
      auto v = etcdctl;
      v.insert(v.end(), tail.begin(), tail.end());
      return v;
    };
    if (cmd == with({ "endpoint", "status", "-w", "json" })) {
      const json status = json::array({ { { "Endpoint", "https://127.0.0.1:2379" },
                                          { "Status",
                                            { { "header", { { "cluster_id", 99 }, { "member_id", member }, { "revision", 4711 }, { "raft_term", 3 } } },
                                              { "version", "3.5.16" },
                                              { "dbSize", 4096 },
                                              { "leader", leader },
                                              { "raftIndex", 5000 },
                                              { "raftTerm", 3 } } } } });
      io.out(status.dump() + "\n");
      return 0;
    }
    if (cmd.size() != 3 || cmd[0] != "sh" || cmd[1] != "-c") {
      io.err("exec: \"" + cmd[0] + "\": executable file not found in $PATH\n");
      return 127;
    }
    // sh running ocne's script: each etcdctl invocation exactly as etcdctl 3.5 takes it.
    const auto& script = cmd[2];
    std::string prefix = "ETCDCTL_API=3";
    for (const auto& a : etcdctl) {
      prefix += " " + a;
    }
    for (const auto& needed : { prefix + " snapshot save \"$f\" >&2", prefix + " snapshot status \"$f\" -w json)",
                                std::string("sha256sum \"$f\""), std::string("trap 'rm -f") }) {
      if (script.find(needed) == std::string::npos) {
        io.err("Error: unknown command or flag (script lacks " + needed + ")\n");
        return 1;
      }
    }
    snapshots_on.push_back(call.pod);
    if (etcd_fails) {
      io.err("Error: context deadline exceeded\n");
      return 1;
    }
    io.err("{\"level\":\"info\",\"msg\":\"saved\"}\nSnapshot saved at /var/lib/etcd/ocne-backup-7.db\n");
    io.err("ocne-status: {\"hash\":1234,\"revision\":4711,\"totalKey\":900,\"totalSize\":" +
           std::to_string(snapshot.size()) + "}\n");
    io.err("ocne-sha256: " + sha256_hex(snapshot) + "\n");
    std::string sent = snapshot;
    if (corrupt) {
      sent[sent.size() / 2] ^= 0x01; // one bit flipped in transit
    }
    for (std::size_t at = 0; at < sent.size(); at += 32 * 1024) {
      io.out(std::string_view(sent).substr(at, 32 * 1024));
    }
    return 0;
  }

  std::uint64_t leader = 0x2222;
  std::vector<std::string> snapshots_on;
  std::string snapshot;
  bool corrupt = false;
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
  struct stat st{};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  // cp-1 is NotReady: its etcd pod is passed over.
  EXPECT_EQ(snapshots_on, std::vector<std::string>{ "etcd-cp-2" });
  for (const auto& call : server().exec_calls()) {
    EXPECT_EQ(call.pod, "etcd-cp-2");
  }
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
  // Now the first leads: asked first, it takes it.
  leader = 0x1111;
  snapshots_on.clear();
  r = ocne({ "cluster", "backup", "-o", (dir() / "b.db").string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(snapshots_on, std::vector<std::string>{ "etcd-cp-1" });
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
  corrupt = true;
  const auto out = dir() / "backups" / "etcd.db";
  sfs::create_directories(out.parent_path());
  const auto r = ocne({ "cluster", "backup", "-o", out.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("do not match the snapshot taken"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was written"), std::string::npos) << r.err;
  EXPECT_TRUE(sfs::is_empty(out.parent_path())) << "a file or a temporary file was left";
}

TEST_F(ClusterBackup, AFailingEtcdctlIsReportedWithItsMessage)
{
  etcd_fails = true;
  const auto out = dir() / "etcd.db";
  const auto r = ocne({ "cluster", "backup", "-o", out.string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the snapshot failed (exit code 1): Error: context deadline exceeded"), std::string::npos) << r.err;
  EXPECT_FALSE(sfs::exists(out));
}

TEST_F(ClusterBackup, NoUsableEtcdPodIsAnError)
{
  server().merge_patch("v1", "Pod", "kube-system", "etcd-cp-2",
                       json::parse(R"({"status": {"conditions": [{"type": "Ready", "status": "False"}]}})"), "status");
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
