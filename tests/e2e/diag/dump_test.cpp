// `ocne cluster dump` through the binary: the layout and redaction against
// golden files, nothing sensitive surviving anywhere in the dump, Secrets
// never and ConfigMaps only with -m, current and previous logs, the archive
// (relative paths, modes 0600/0700, the same content) and the redaction map.

#include "tests/e2e/diag/diag_world.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shared_dir.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

namespace ocne::test {
namespace {

using nlohmann::json;
namespace sfs = std::filesystem;

// Values planted in the cluster that no redacted dump may contain.
const std::vector<std::string> k_sensitive = {
  "192.168.122.10",
  "192.168.122.11",
  "10.244.1.7",
  "fd00:10:244::5",
  "2001:db8:0:0:1:0:0:1",
  "ocid1.instance.oc1.iad.anuwcljrbbq2ypqcsecretsecret",
  "AAAAC3NzaC1lZDI1NTE5AAAAIOcneTestKeyNotARealKeyAtAll",
  "s3cr3t-b34rer-t0ken",
  "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl",
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
  "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t",
  "hunter2-password",
  "cp-1",
  "worker-1",
  "secret-value-never-dumped",
};

std::string
read_text(const sfs::path& p)
{
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned
mode_of(const sfs::path& p)
{
  struct stat st
  {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// Every file below root: relative path -> content.
std::map<std::string, std::string>
files_under(const sfs::path& root)
{
  std::map<std::string, std::string> out;
  for (const auto& e : sfs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) {
      out[sfs::relative(e.path(), root).string()] = read_text(e.path());
    }
  }
  return out;
}

struct ArchiveEntry
{
  unsigned mode;
  bool folder;
  std::string content;
};

std::map<std::string, ArchiveEntry>
read_archive(const sfs::path& file)
{
  std::map<std::string, ArchiveEntry> out;
  archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, file.c_str(), 1 << 16), ARCHIVE_OK) << archive_error_string(a);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    ArchiveEntry entry{ static_cast<unsigned>(archive_entry_perm(e)), archive_entry_filetype(e) == AE_IFDIR, {} };
    std::string buffer(1 << 16, '\0');
    la_ssize_t n = 0;
    while ((n = archive_read_data(a, buffer.data(), buffer.size())) > 0) {
      entry.content.append(buffer.data(), static_cast<std::size_t>(n));
    }
    out[archive_entry_pathname(e)] = std::move(entry);
  }
  archive_read_free(a);
  return out;
}

std::string
golden(const std::string& name)
{
  return read_text(fixture_path("diag") / name);
}

class ClusterDump : public DiagCliTest
{
protected:
  void
  SetUp() override
  {
    DiagCliTest::SetUp();
    add_node({ .name = "cp-1", .control_plane = true, .internal_ip = "192.168.122.10" });
    add_node({ .name = "worker-1", .internal_ip = "192.168.122.11" });
    add_namespace("app");

    add_pod("kube-system", "kube-apiserver-cp-1", "cp-1", { "kube-apiserver" });
    server().set_pod_log("kube-system",
                         "kube-apiserver-cp-1",
                         "kube-apiserver",
                         "I0101 flags: --advertise-address=192.168.122.10 --etcd-servers=https://192.168.122.10:2379\n"
                         "I0101 node cp-1 registered; peer worker-1 at 192.168.122.11\n");
    add_pod("app", "web", "worker-1", { "app", "side" });
    patch_pod_status(
      "app",
      "web",
      { { "containerStatuses",
          json::array({ { { "name", "app" },
                          { "image", "registry.example/app:1" },
                          { "imageID", "" },
                          { "ready", true },
                          { "restartCount", 1 },
                          { "state", { { "running", { { "startedAt", "2026-01-01T00:00:00Z" } } } } },
                          { "lastState", { { "terminated", { { "exitCode", 2 }, { "reason", "Error" } } } } } },
                        { { "name", "side" },
                          { "image", "registry.example/side:1" },
                          { "imageID", "" },
                          { "ready", false },
                          { "restartCount", 0 },
                          { "state", { { "waiting", { { "reason", "ImagePullBackOff" } } } } } } }) } });
    server().set_pod_log("app",
                         "web",
                         "app",
                         "GET /healthz from 10.244.1.7 and fd00:10:244::5 ok\n"
                         "calling OCI for ocid1.instance.oc1.iad.anuwcljrbbq2ypqcsecretsecret\n"
                         "Authorization: Bearer s3cr3t-b34rer-t0ken\n"
                         "again 10.244.1.7 (same replacement) and loopback 127.0.0.1 stays\n");
    server().set_pod_log(
      "app",
      "web",
      "app",
      "panic: token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl refused by 2001:db8:0:0:1:0:0:1\n"
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQ\n-----END PRIVATE KEY-----\n"
      "at 12:34:56 on aa:bb:cc:dd:ee:ff\n",
      true);
    // ocne's own pod: left out of the logs.
    server().create(
      { { "apiVersion", "v1" },
        { "kind", "Pod" },
        { "metadata",
          { { "name", "ocne-console-worker-1" },
            { "namespace", "kube-system" },
            { "labels", { { "app.kubernetes.io/managed-by", "ocne" }, { "ocne.oracle.com/purpose", "console" } } } } },
        { "spec", { { "nodeName", "worker-1" }, { "containers", { { { "name", "c" }, { "image", "i" } } } } } } });

    server().create({ { "apiVersion", "v1" },
                      { "kind", "Secret" },
                      { "metadata", { { "name", "db-credentials" }, { "namespace", "app" } } },
                      { "stringData", { { "password", "secret-value-never-dumped" } } } });
    server().create(json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
      "metadata": {"name": "settings", "namespace": "app"},
      "data": {
        "kubeconfig": "apiVersion: v1\nusers:\n- name: admin\n  user:\n    client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t\n    token: s3cr3t-b34rer-t0ken\n",
        "authorized_keys": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOcneTestKeyNotARealKeyAtAll admin@cp-1",
        "db": "password: hunter2-password",
        "metadata.json": "{\"user_data\": \"I2Nsb3VkLWNvbmZpZw==\"}"
      }})"));
    add_event("app",
              "web.1",
              "Warning",
              "BackOff",
              "Back-off pulling image on worker-1",
              { { "kind", "Pod" }, { "namespace", "app" }, { "name", "web" } });
  }

  void
  expect_nothing_sensitive(const std::map<std::string, std::string>& files)
  {
    for (const auto& [path, content] : files) {
      for (const auto& value : k_sensitive) {
        EXPECT_EQ(path.find(value), std::string::npos) << value << " in the path " << path;
        EXPECT_EQ(content.find(value), std::string::npos) << value << " survived in " << path << ":\n" << content;
      }
    }
  }
};

TEST_F(ClusterDump, LayoutAndRedactionMatchTheGoldenFilesAndNothingSensitiveSurvives)
{
  const auto out = dir() / "dump";
  const auto map = dir() / "private" / "map.csv";
  sfs::create_directories(map.parent_path());
  const auto r = ocne({ "cluster", "dump", "-d", out.string(), "-m", "--redaction-map", map.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = files_under(out);
  std::string layout;
  for (const auto& [path, content] : files) {
    layout += path + "\n";
    EXPECT_EQ(mode_of(out / path), 0600U) << path;
  }
  EXPECT_EQ(mode_of(out), 0700U);
  EXPECT_EQ(mode_of(out / "cluster" / "namespaces" / "app"), 0700U);
  EXPECT_EQ(layout, golden("dump-layout.txt"));
  EXPECT_EQ(files.at("cluster/namespaces/app/podlogs/web.txt"), golden("web.txt"));
  EXPECT_EQ(files.at("cluster/namespaces/kube-system/podlogs/kube-apiserver-REDACTED-NODE-2.txt"),
            golden("kube-apiserver.txt"));
  // The configmap's values, redacted in place.
  const auto& configmaps = files.at("cluster/namespaces/app/configmaps.yaml");
  EXPECT_NE(configmaps.find("client-key-data: REDACTED-CREDENTIAL-"), std::string::npos) << configmaps;
  EXPECT_NE(configmaps.find("ssh-ed25519 REDACTED-SSH-KEY-1"), std::string::npos) << configmaps;
  EXPECT_NE(configmaps.find("REDACTED-USER-DATA-1"), std::string::npos) << configmaps;
  expect_nothing_sensitive(files);
  for (const auto& [path, content] : files) {
    EXPECT_EQ(content.find("db-credentials"), std::string::npos) << "a Secret in " << path;
    EXPECT_EQ(content.find("managedFields"), std::string::npos) << path;
  }
  // Nodes and pods are there, as YAML Lists.
  EXPECT_NE(files.at("cluster/cluster-wide/nodes.yaml").find("kind: List"), std::string::npos);
  EXPECT_NE(files.at("cluster/namespaces/app/pods.yaml").find("name: web"), std::string::npos);
  // Node files are redacted too.
  EXPECT_EQ(files.at("nodes/REDACTED-NODE-1/journal-kubelet.out"),
            "Jan 01 00:00:01 REDACTED-NODE-1 kubelet[812]: I0101 node ready, address REDACTED-IPV4-2\n");
  // Warnings for the container that never started are not errors of the dump.
  EXPECT_EQ(files.count("dump-errors.txt"), 0U) << files.at("dump-errors.txt");

  // The map: 0600, outside the dump, every value with its replacement.
  EXPECT_EQ(mode_of(map), 0600U);
  const auto csv = read_text(map);
  EXPECT_TRUE(csv.starts_with("replacement,kind,original\n")) << csv;
  EXPECT_NE(csv.find("REDACTED-IPV4-1,IPV4,192.168.122.10\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",NODE,worker-1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",IPV6,fd00:10:244::5\n"), std::string::npos) << csv;
}

TEST_F(ClusterDump, NodeFilesComeFromEveryNodeThroughLabelledPodsThatAreRemoved)
{
  std::mutex m;
  std::vector<json> created;
  server().on({ .kind = "Pod", .modified = false }, [&](kube::KubeTestServer&, const kube::ObjectEvent& e) {
    const std::lock_guard lock(m);
    if ((*e.object)["metadata"].value("namespace", "") == "ocne-system") {
      created.push_back(*e.object);
    }
  });
  const auto out = dir() / "dump";
  const auto r = ocne({ "cluster", "dump", "-d", out.string(), "-t" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = files_under(out);
  // The node's own files, as the node has them.
  EXPECT_EQ(files.at("nodes/cp-1/update.yaml"), hosts().host("cp-1").files.at("/etc/ocne/update.yaml"));
  EXPECT_EQ(files.at("nodes/worker-1/journal-kubelet.out"), hosts().host("worker-1").journals.at("kubelet.service"));
  EXPECT_EQ(files.at("nodes/worker-1/ostree-status.out").find("* ock "), 0U)
    << files.at("nodes/worker-1/ostree-status.out");
  // No staged update: `ostree rev-parse ock:ock` failing is an answer, not an error.
  EXPECT_EQ(files.count("nodes/cp-1/ostree-staged.out"), 0U);
  EXPECT_EQ(files.count("dump-errors.txt"), 0U) << files.at("dump-errors.txt");
  // cluster-info.out shows what the nodes said.
  const auto& info = files.at("cluster-info.out");
  EXPECT_NE(info.find("Node worker-1:\n  Registry and tag for ostree patch images:\n"
                      "    registry: container-registry.oracle.com/olcne/ock-ostree\n"),
            std::string::npos)
    << info;
  // Every command ran in the node's root, each node's in its own pod.
  const auto commands = hosts().commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "cp-1: journalctl -b --no-pager -n 5000 -u kubelet.service"),
            commands.end());
  EXPECT_NE(std::find(commands.begin(), commands.end(), "worker-1: rpm-ostree status"), commands.end());
  for (const auto& call : server().exec_calls()) {
    EXPECT_EQ(call.ns, "ocne-system");
    EXPECT_EQ(std::vector<std::string>(call.command.begin(), call.command.begin() + 2),
              (std::vector<std::string>{ "chroot", "/hostroot" }));
  }
  server().wait_idle();
  const std::lock_guard lock(m);
  ASSERT_EQ(created.size(), 2U);
  std::set<std::string> on;
  for (const auto& pod : created) {
    on.insert(pod["spec"]["nodeName"].get<std::string>());
    EXPECT_EQ(pod["metadata"]["labels"]["app.kubernetes.io/managed-by"], "ocne");
    EXPECT_EQ(pod["metadata"]["labels"]["ocne.oracle.com/purpose"], "dump");
    EXPECT_GT(pod["spec"]["activeDeadlineSeconds"].get<int>(), 0);
    EXPECT_EQ(pod["spec"]["containers"][0]["image"], "container-registry.oracle.com/os/oraclelinux:8");
  }
  EXPECT_EQ(on, (std::set<std::string>{ "cp-1", "worker-1" }));
  EXPECT_TRUE(server().list("v1", "Pod", "ocne-system").empty()) << "a node pod is left";
}

TEST_F(ClusterDump, NOnlyTheNamedNodesAndSNone)
{
  const auto out = dir() / "dump";
  auto r = ocne({ "cluster", "dump", "-d", out.string(), "-N", "worker-1", "-r" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> tops;
  for (const auto& [path, content] : files_under(out)) {
    tops.insert(path.substr(0, path.find('/', path.find('/') + 1)));
  }
  EXPECT_EQ(tops, (std::set<std::string>{ "nodes/REDACTED-NODE-1" }));
  for (const auto& c : hosts().commands()) {
    EXPECT_TRUE(c.starts_with("worker-1: ")) << c;
  }
  r = ocne({ "cluster", "dump", "-d", (dir() / "none").string(), "-r", "-s" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(sfs::exists(dir() / "none" / "nodes"));
}

TEST_F(ClusterDump, NodesThatCannotAnswerAreNamedInTheErrorsAndTheRestIsCollected)
{
  add_node({ .name = "worker-2", .ready = false });
  hosts().host("worker-1").missing_programs.insert("rpm-ostree");
  const auto out = dir() / "dump";
  const auto r = ocne({ "cluster", "dump", "-d", out.string(), "-t", "-r" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = files_under(out);
  const auto& errors = files.at("dump-errors.txt");
  EXPECT_NE(errors.find("node worker-2: NotReady"), std::string::npos) << errors;
  EXPECT_NE(
    errors.find("node worker-1: rpm-ostree-status.out (rpm-ostree status): exit code 127: chroot: failed to run "
                "command 'rpm-ostree': No such file or directory"),
    std::string::npos)
    << errors;
  EXPECT_EQ(files.count("nodes/worker-1/rpm-ostree-status.out"), 0U);
  EXPECT_EQ(files.count("nodes/worker-1/journal-kubelet.out"), 1U);
  EXPECT_EQ(files.count("nodes/cp-1/rpm-ostree-status.out"), 1U);
  for (const auto& c : hosts().commands()) {
    EXPECT_FALSE(c.starts_with("worker-2: ")) << c;
  }
  EXPECT_TRUE(server().list("v1", "Pod", "ocne-system").empty()) << "a node pod is left";
}

TEST_F(ClusterDump, WithoutMConfigMapsAreLeftOutAndSecretsAlways)
{
  const auto out = dir() / "dump";
  const auto r = ocne({ "cluster", "dump", "-d", out.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = files_under(out);
  EXPECT_EQ(files.count("cluster/namespaces/app/configmaps.yaml"), 0U);
  for (const auto& [path, content] : files) {
    EXPECT_EQ(path.find("secrets"), std::string::npos) << path;
    EXPECT_EQ(path.find("configmaps"), std::string::npos) << path;
  }
}

TEST_F(ClusterDump, SkipRedactionKeepsValuesButStillNoSecrets)
{
  const auto out = dir() / "dump";
  const auto r = ocne({ "cluster", "dump", "-d", out.string(), "-t", "-m", "--json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = files_under(out);
  EXPECT_NE(files.at("cluster/namespaces/app/podlogs/web.txt").find("fd00:10:244::5"), std::string::npos);
  EXPECT_EQ(files.count("cluster/namespaces/kube-system/podlogs/kube-apiserver-cp-1.txt"), 1U);
  const auto pods = json::parse(files.at("cluster/namespaces/app/pods.json"));
  EXPECT_EQ(pods["items"][0]["status"]["podIP"], "10.244.1.7");
  for (const auto& [path, content] : files) {
    EXPECT_EQ(content.find("secret-value-never-dumped"), std::string::npos) << path;
  }
  const auto m =
    ocne({ "cluster", "dump", "-d", (dir() / "d2").string(), "-t", "--redaction-map", (dir() / "m").string() });
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_EQ(m.err, "ocne: error: --redaction-map and --skip-redaction cannot be used together\n");
}

TEST_F(ClusterDump, ArchiveHasRelativePathsPrivateModesAndTheSameContent)
{
  const auto folder = dir() / "dump";
  ASSERT_EQ(ocne({ "cluster", "dump", "-d", folder.string(), "-m" }).exit_code, 0);
  const auto tgz = dir() / "out" / "dump.tgz";
  sfs::create_directories(tgz.parent_path());
  const auto r = ocne({ "cluster", "dump", "-z", tgz.string(), "-m" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(tgz), 0600U);
  // Nothing but the archive is left beside it (no temporary file).
  EXPECT_EQ(std::distance(sfs::directory_iterator(tgz.parent_path()), sfs::directory_iterator()), 1);
  const auto entries = read_archive(tgz);
  const auto files = files_under(folder);
  std::map<std::string, std::string> archived;
  for (const auto& [name, e] : entries) {
    EXPECT_FALSE(name.starts_with("/")) << name;
    EXPECT_EQ(name.find(".."), std::string::npos) << name;
    EXPECT_EQ(e.mode, e.folder ? 0700U : 0600U) << name;
    if (!e.folder) {
      archived[name] = e.content;
    }
  }
  ASSERT_EQ(archived.size(), files.size());
  for (const auto& [name, content] : files) {
    if (name == "cluster-info.out") {
      continue; // holds ages
    }
    EXPECT_EQ(archived[name], content) << name;
  }
  expect_nothing_sensitive(archived);
}

TEST_F(ClusterDump, BadFlagsAndNamesAreRefusedBeforeAnythingIsWritten)
{
  auto r = ocne({ "cluster", "dump" });
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--output-directory or --generate-archive"), std::string::npos) << r.err;
  r = ocne({ "cluster", "dump", "-z", (dir() / "x.zip").string() });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("must end in .tgz or .tar.gz"), std::string::npos) << r.err;
  r = ocne({ "cluster", "dump", "-d", (dir() / "a").string(), "-c", "-m" });
  EXPECT_EQ(r.err, "ocne: error: --curated-resources and --include-configmaps cannot be used together\n");
  r = ocne({ "cluster", "dump", "-d", (dir() / "a").string(), "-n", "app,nope" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.substr(r.err.find("ocne: error")), "ocne: error: no such namespace: nope\n");
  r = ocne({ "cluster", "dump", "-d", (dir() / "a").string(), "-N", "gone" });
  EXPECT_NE(r.err.find("no such node: gone"), std::string::npos) << r.err;
  r = ocne({ "cluster", "dump", "-d", (dir() / "a").string(), "--redaction-map", (dir() / "a" / "map.csv").string() });
  EXPECT_NE(r.err.find("must not go into the dump"), std::string::npos) << r.err;
  write("full/file", "x");
  r = ocne({ "cluster", "dump", "-d", (dir() / "full").string() });
  EXPECT_NE(r.err.find("is not empty"), std::string::npos) << r.err;
}

TEST_F(ClusterDump, NamespacesAndSkipsNarrowTheDump)
{
  const auto out = dir() / "dump";
  const auto r = ocne({ "cluster", "dump", "-d", out.string(), "-n", "app", "-p", "-s" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& [path, content] : files_under(out)) {
    EXPECT_TRUE(path.starts_with("cluster/namespaces/app/") || path.starts_with("cluster/cluster-wide/") ||
                path == "cluster-info.out")
      << path;
    EXPECT_EQ(path.find("podlogs"), std::string::npos) << path;
  }
  EXPECT_TRUE(hosts().commands().empty()) << "-s: nothing runs on the nodes";
  EXPECT_FALSE(server().get("v1", "Namespace", "", "ocne-system")) << "-s: ocne starts nothing in the cluster";
}

TEST_F(ClusterDump, CuratedIncludesTheKubeadmKinds)
{
  OCNE_REQUIRE_SHARED();
  load_capi_crds();
  add_capi_cluster({});
  server().create(json::parse(R"({"apiVersion": "bootstrap.cluster.x-k8s.io/v1beta2", "kind": "KubeadmConfig",
    "metadata": {"name": "demo-cp-1", "namespace": "demo"}, "spec": {"format": "ignition"}})"));
  const auto out = dir() / "dump";
  const auto r = ocne({ "cluster", "dump", "-d", out.string(), "-c" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = files_under(out);
  EXPECT_EQ(files.count("cluster/namespaces/demo/kubeadmcontrolplanes.controlplane.cluster.x-k8s.io.yaml"), 1U);
  EXPECT_EQ(files.count("cluster/namespaces/demo/kubeadmconfigs.bootstrap.cluster.x-k8s.io.yaml"), 1U);
  EXPECT_EQ(files.count("cluster/namespaces/demo/machines.cluster.x-k8s.io.yaml"), 1U);
  // Not curated: leases.
  EXPECT_EQ(files.count("cluster/namespaces/kube-node-lease/leases.coordination.k8s.io.yaml"), 0U);
  for (const auto& [path, content] : files) {
    EXPECT_EQ(path.find("leases"), std::string::npos) << path;
  }
}

} // namespace
} // namespace ocne::test
