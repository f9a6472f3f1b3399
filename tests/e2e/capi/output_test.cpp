// What `cluster start -P oci|oxide` shows and how it behaves around other
// runs: the whole info-level log on a non-terminal against a golden file
// (tests/fixtures/capi/), bars on a terminal, a second run at once refused
// by the cluster lock, a cluster ocne does not know deleted by name, and
// every server failing now and then without the start noticing more than
// retries.

#include "pkg/core/fs.hpp"
#include "tests/e2e/capi/capi_cli.hpp"
#include "tests/servers/kube/faults.hpp"
#include "tests/servers/oci/oci_test_server.hpp"
#include "tests/servers/oxide/oxide_server.hpp"
#include "tests/support/child.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/shared_dir.hpp"

#include <algorithm>
#include <regex>
#include <thread>

namespace ocne::test {
namespace {

// The log without what changes from run to run: times, the test's folder,
// ports, download progress steps, and the order in which parallel waits
// finish.
std::string
normalized(const std::string& log, const std::filesystem::path& folder)
{
  std::string text = std::regex_replace(log, std::regex(R"((INFO|WARN|ERRO)\[[^\]]*\] *)"), "$1 ");
  for (std::size_t at; (at = text.find(folder.string())) != std::string::npos;) {
    text.replace(at, folder.string().size(), "<DIR>");
  }
  text = std::regex_replace(text, std::regex(R"(127\.0\.0\.1:[0-9]+)"), "127.0.0.1:<PORT>");
  // Download progress steps depend on how the bytes arrived.
  text = std::regex_replace(text, std::regex(R"(INFO [^\n]*: [0-9]+% \([^\n]*\)\n)"), "");
  // The API answers once the first node has joined; whether the workers'
  // have too by then depends on how fast the controllers were.
  text = std::regex_replace(text, std::regex(R"(to be ready: [0-9]+ nodes?\n)"), "to be ready: <N> nodes\n");
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    start = end == std::string::npos ? text.size() : end + 1;
  }
  // Waits that run together end in any order: sort each run of their lines.
  const std::regex together(R"(^INFO Waiting for .*(Controllers|: ok)$)");
  for (std::size_t i = 0; i < lines.size();) {
    std::size_t j = i;
    while (j < lines.size() && std::regex_match(lines[j], together)) {
      ++j;
    }
    std::sort(lines.begin() + static_cast<long>(i), lines.begin() + static_cast<long>(j));
    i = j == i ? i + 1 : j;
  }
  std::string out;
  for (const auto& l : lines) {
    out += l + "\n";
  }
  return out;
}

class CapiOutput : public CapiCliTest
{};

TEST_F(CapiOutput, TheStartLogOnANonTerminalMatchesTheGoldenFile)
{
  // kubeadm's kube-proxy comes well after the first Node, so the log always
  // shows the wait for it (with the default second it would depend on speed).
  start_world({ .provider = "oci", .kubeadm_addons_after = std::chrono::seconds(4) });
  const auto file = world->write_cluster_file("demo");
  const auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto actual = normalized(r.err, dir());
  const auto golden = fixture_path("capi/start-oci.log");
  if (const char* update = std::getenv("OCNE_UPDATE_GOLDEN"); update != nullptr && *update == '1') {
    std::filesystem::create_directories(golden.parent_path());
    ASSERT_TRUE(fs::write_file_atomic(golden, actual));
  }
  const auto expected = fs::read_file(golden);
  ASSERT_TRUE(expected) << expected.error().message() << " (run with OCNE_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(actual, *expected) << "(run with OCNE_UPDATE_GOLDEN=1 to update it, then review the diff)";
}

TEST_F(CapiOutput, OnATerminalWaitsAreDrawnAsBarsAndSpinners)
{
  start_world({ .provider = "oxide" });
  const auto file = world->write_cluster_file("demo");
  auto env = world->env();
  env["OCNE_CAPI_POLL_MS"] = "100";
  env["OCNE_CAPI_TIMEOUT"] = "60";
  env["HOME"] = world->home().string();
  const auto r = run_with_stderr_tty({ ocne_binary().string(), "cluster", "start", "-c", file.string() }, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Redrawn in place: carriage returns or cursor movements, not one line per tick.
  EXPECT_TRUE(has(r.err, "\r") || has(r.err, "\x1b[")) << r.err;
  EXPECT_TRUE(has(r.err, "Waiting for kubeconfig")) << r.err;
  EXPECT_TRUE(has(r.err, "Kubernetes cluster was created successfully")) << r.err;
  EXPECT_EQ(r.out, "To access the cluster:\n    use " + kubeconfig("demo").string() + "\n");
}

TEST_F(CapiOutput, ASecondStartOfTheSameClusterAtOnceIsRefused)
{
  // The first run waits for a Cluster that cannot provision.
  start_world(
    { .provider = "oci",
      .infrastructure_failure = kube::InfrastructureFailure{ .reason = "Stuck", .message = "still waiting" } });
  const auto file = world->write_cluster_file("demo");
  auto env = world->env();
  env["OCNE_CAPI_POLL_MS"] = "100";
  env["OCNE_CAPI_TIMEOUT"] = "60";
  env["HOME"] = world->home().string();
  Child first(
    { ocne_binary().string(), "cluster", "start", "-c", file.string() }, env, dir() / "first.out", dir() / "first.err");
  // Until it holds the lock and waits for the workload cluster (logged once
  // the resources are applied).
  for (int i = 0; i < 600 && !has(fs::read_file(dir() / "first.err").value_or(""), "Waiting for kubeconfig"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(first.running()) << fs::read_file(dir() / "first.err").value_or("");
  const auto second = ocne({ "cluster", "start", "-c", file.string() });
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_TRUE(has(second.err, "cluster 'demo'")) << second.err;
  EXPECT_EQ(std::count(second.err.begin(), second.err.end(), '\n'), 1) << second.err;
  first.kill(SIGKILL);
  first.wait();
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
}

TEST_F(CapiOutput, AClusterOcneDoesNotKnowIsFoundByNameAndDeleted)
{
  start_world({ .provider = "oci" });
  const auto file = world->write_cluster_file("known");
  auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Another machine started it: this one has no cache entry.
  std::filesystem::remove(world->home() / ".ocne" / "clusters.yaml");
  r = ocne({ "cluster", "delete", "-C", "known", "-P", "oci", "-o", "json" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto result = nlohmann::json::parse(r.out);
  EXPECT_EQ(result["outcome"], "deleted");
  EXPECT_EQ(result["cached"], false);
  EXPECT_EQ(result["cluster"]["namespace"], "ocne");
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
}

class CapiFaults
  : public CapiCliTest
  , public ::testing::WithParamInterface<std::string>
{};

TEST_P(CapiFaults, FaultsOnEveryServerAreRetriedAndTheStartSucceeds)
{
  start_world({ .provider = GetParam() });
  const auto file = world->write_cluster_file("demo");
  const kube::Fault busy{ .kind = kube::Fault::Kind::status, .status = 503, .retry_after = 0 };
  world->management().faults().fail_randomly(0.05, busy, "", "", 7);
  world->workload().faults().fail_randomly(0.05, busy, "", "", 11);
  const Fault bad_gateway{ .kind = Fault::Kind::status, .status = 502, .retry_after = 0 };
  world->release_server().faults().fail_next(2, bad_gateway);
  if (GetParam() == "oci") {
    world->oci().faults().fail_next(2,
                                    Fault{ .kind = Fault::Kind::status,
                                           .status = 503,
                                           .retry_after = 0,
                                           .body = R"({"code":"ServiceUnavailable","message":"injected"})" });
  } else {
    world->oxide().faults().fail_next(2, oxide_fault(503, 0));
  }
  const auto r = ocne({ "cluster", "start", "-c", file.string() });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(world->management().faults().injected(), 0);
  EXPECT_GT(world->workload().faults().injected(), 0);
  EXPECT_EQ(world->release_server().faults().injected(), 2);
  EXPECT_EQ(GetParam() == "oci" ? world->oci().faults().injected() : world->oxide().faults().injected(), 2);
  EXPECT_TRUE(nodes_ready());
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 1U);
}

INSTANTIATE_TEST_SUITE_P(Providers, CapiFaults, ::testing::Values("oci", "oxide"));

} // namespace
} // namespace ocne::test
