// `kill -9` of `ocne cluster upgrade` at moments chosen from a seed the test
// prints: at each step's start and end, after a template copy or a patch is
// sent, and inside the rollouts (once the Nth machine runs the new
// version). After each kill the same command runs again; at the end there is
// one copy of each template, one patch of each pool, no image built, and
// every machine at the new version. OCNE_TEST_SEED replays a failure;
// OCNE_TEST_KILLS sets how many moments (CI: 3 per provider).

#include "pkg/core/fs.hpp"
#include "tests/e2e/capi/capi_cli.hpp"
#include "tests/support/child.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <thread>

namespace ocne::test {
namespace {

using json = nlohmann::json;

unsigned
env_number(const char* name, unsigned fallback)
{
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : fallback;
}

const std::vector<std::string> k_moments = {
  "upgrade images",
  "upgrade images finished",
  "upgrade templates",
  "upgrade template created",
  "upgrade templates finished",
  "upgrade control-plane",
  "upgrade control-plane patched",
  "rollout:1",
  "rollout:2",
  "upgrade control-plane finished",
  "upgrade addons",
  "upgrade addons finished",
  "upgrade workers",
  "upgrade workers patched",
  "rollout:4",
  "upgrade workers finished",
  "upgrade verify",
  "upgrade verify finished",
};

class CapiUpgradeKill
  : public CapiCliTest
  , public ::testing::WithParamInterface<std::string>
{
protected:
  std::size_t
  machines_at(const std::string& version)
  {
    // Oracle's Cluster API serves v1beta1 only, upstream's both.
    std::size_t n = 0;
    for (const auto& m : world->management().list("cluster.x-k8s.io/v1beta1", "Machine", "ocne")) {
      n += m["spec"].value("version", "") == version ? 1 : 0;
    }
    return n;
  }

  // Runs the upgrade and kills it at the moment; whether the kill landed
  // (else the run ended by itself with exit_code).
  bool
  kill_at(const std::vector<std::string>& args, const std::string& moment, int& exit_code)
  {
    if (moment.rfind("rollout:", 0) != 0) {
      const auto r = ocne(args, { { "OCNE_TEST_KILL_AT", moment } }, 100);
      exit_code = r.exit_code;
      if (r.signal != SIGKILL) {
        std::cerr << r.err;
      }
      return r.signal == SIGKILL;
    }
    const auto n = static_cast<std::size_t>(std::stoul(moment.substr(8)));
    std::vector<std::string> argv{ ocne_binary().string() };
    argv.insert(argv.end(), args.begin(), args.end());
    Child child(argv, ocne_env({}, 100), dir() / "run.out", dir() / "run.err");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (child.running() && std::chrono::steady_clock::now() < deadline) {
      if (machines_at("v1.34.1") >= n) {
        child.kill(SIGKILL);
        exit_code = child.wait();
        return exit_code == -SIGKILL;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (child.running()) {
      child.kill(SIGKILL);
    }
    exit_code = child.wait();
    return false;
  }

  int
  requests_after(std::size_t from, const std::string& method, const std::string& needle) const
  {
    const auto all = world->requests(CapiWorld::management_side);
    int n = 0;
    for (std::size_t i = from; i < all.size(); ++i) {
      n += all[i].method == method && has(all[i].target, needle) ? 1 : 0;
    }
    return n;
  }
};

TEST_P(CapiUpgradeKill, KilledAtSeededMomentsEachRunContinuesAndEveryCountIsExact)
{
  const unsigned seed = env_number("OCNE_TEST_SEED", std::random_device{}());
  const auto kills = std::min<std::size_t>(env_number("OCNE_TEST_KILLS", 3), k_moments.size());
  std::cerr << "seed " << seed << ", " << kills << " kills (replay: OCNE_TEST_SEED=" << seed << ")\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<std::size_t> indices(k_moments.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    indices[i] = i;
  }
  std::shuffle(indices.begin(), indices.end(), rng);
  indices.resize(kills);
  std::sort(indices.begin(), indices.end());

  start_world({ .provider = GetParam(), .kubernetes_versions = { "1.33", "1.34" } });
  const auto file = world->write_cluster_file("demo", "controlPlaneNodes: 3\nworkerNodes: 1\n");
  auto r = ocne({ "cluster", "start", "-c", file.string() }, {}, 100);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  world->settle();
  const auto images = world->image_count();
  const auto base = world->requests(CapiWorld::management_side).size();
  const std::vector<std::string> upgrade = { "cluster", "upgrade", "-C", "demo", "-v", "1.34" };

  int landed = 0;
  for (const auto i : indices) {
    int code = 0;
    if (!kill_at(upgrade, k_moments[i], code)) {
      // A moment the rerun no longer passes (the copies exist already): the run finished.
      EXPECT_EQ(code, 0) << "seed " << seed << ", moment " << k_moments[i];
      std::cerr << "the upgrade ended before " << k_moments[i] << "\n";
      break;
    }
    ++landed;
    std::cerr << "killed the upgrade at " << k_moments[i] << "\n";
    if (!cached_state("demo", "upgrade.target").empty()) {
      const auto status = ocne({ "cluster", "upgrade", "-C", "demo" });
      EXPECT_EQ(status.exit_code, 0) << status.err;
      EXPECT_TRUE(has(status.out, "the upgrade to 1.34 is unfinished")) << status.out;
    }
  }
  EXPECT_GT(landed, 0) << "seed " << seed;
  r = ocne(upgrade, {}, 100);
  ASSERT_EQ(r.exit_code, 0) << "seed " << seed << "\n" << r.err;
  world->settle();

  EXPECT_EQ(machines_at("v1.34.1"), 4U) << "seed " << seed;
  for (const auto& n : world->workload().list("v1", "Node")) {
    EXPECT_EQ(n["status"]["nodeInfo"].value("kubeletVersion", ""), "v1.34.1") << n["metadata"]["name"];
  }
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Node"), 4U);
  EXPECT_TRUE(nodes_ready());
  EXPECT_EQ(world->image_count(), images);
  const std::string infra = GetParam() == "oci" ? "ocimachinetemplates" : "oxidemachinetemplates";
  EXPECT_EQ(requests_after(base, "POST", infra), 2) << "seed " << seed;
  EXPECT_EQ(requests_after(base, "POST", "kubeadmconfigtemplates"), 1) << "seed " << seed;
  EXPECT_EQ(requests_after(base, "PATCH", "kubeadmcontrolplanes/demo-control-plane"), 1) << "seed " << seed;
  EXPECT_EQ(requests_after(base, "PATCH", "machinedeployments/demo-md-0"), 1) << "seed " << seed;
  EXPECT_EQ(cached_state("demo", "upgrade.target"), "");
  EXPECT_EQ(cached_state("demo", "kubernetesVersion"), "1.34");
}

INSTANTIATE_TEST_SUITE_P(Providers, CapiUpgradeKill, ::testing::Values("oci", "oxide"));

} // namespace
} // namespace ocne::test
