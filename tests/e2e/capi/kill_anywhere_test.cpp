// `kill -9` at moments spread over a whole self-managed start and delete,
// not only between steps: each moment is the Nth write request either
// Kubernetes server receives (inside the components' install, the apply,
// the add-ons, the pivot's move, the move back), chosen from a seed the test
// prints. After each kill the same command runs again; at the end every
// count is exact. OCNE_TEST_SEED replays a failure; OCNE_TEST_KILLS sets how
// many moments a start and a delete get (CI runs a few per provider,
// scripts/kill-sweep.sh many seeds).

#include "pkg/core/fs.hpp"
#include "pkg/k8s/object.hpp"
#include "tests/e2e/capi/capi_cli.hpp"
#include "tests/support/child.hpp"

#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
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

class CapiKillAnywhere
  : public CapiCliTest
  , public ::testing::WithParamInterface<std::string>
{
protected:
  int
  all_writes() const
  {
    return writes(CapiWorld::management_side) + writes(CapiWorld::workload_side);
  }

  // Runs ocne with args and kills it with SIGKILL as soon as until() holds;
  // returns whether it was killed (else it ended by itself, with exit code).
  bool
  run_killed_when(const std::vector<std::string>& args, const std::function<bool()>& until, int& exit_code)
  {
    std::vector<std::string> argv{ ocne_binary().string() };
    argv.insert(argv.end(), args.begin(), args.end());
    Child child(argv, ocne_env({}, 120), dir() / "run.out", dir() / "run.err");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (child.running() && std::chrono::steady_clock::now() < deadline) {
      if (until()) {
        child.kill(SIGKILL);
        exit_code = child.wait();
        return exit_code == -SIGKILL;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (child.running()) {
      child.kill(SIGKILL);
      ADD_FAILURE() << "ocne " << args[1] << " did not end within 5 minutes";
    }
    exit_code = child.wait();
    return false;
  }

  // Kills `ocne args` at each of the moments (write requests counted from
  // now, ascending); returns how many kills landed before a run finished.
  int
  kill_at(const std::vector<std::string>& args, const std::vector<int>& moments)
  {
    const int base = all_writes();
    int landed = 0;
    for (const int m : moments) {
      int code = 0;
      if (!run_killed_when(
            args, [&] { return all_writes() >= base + m; }, code)) {
        EXPECT_EQ(code, 0) << "ocne " << args[1] << " ended before write " << m << ":\n"
                           << fs::read_file(dir() / "run.err").value_or("");
        break;
      }
      ++landed;
      std::cerr << "killed ocne " << args[1] << " at write " << m << " (" << (all_writes() - base) << " seen)\n";
    }
    return landed;
  }

  // Deployments in the stack's namespaces of one side: "ns/name" -> Available.
  std::map<std::string, bool>
  stack_deployments(CapiWorld::Side side)
  {
    auto& server = side == CapiWorld::management_side ? world->management() : world->workload();
    std::map<std::string, bool> out;
    for (const auto& d : server.list("apps/v1", "Deployment")) {
      const std::string ns = d["metadata"].value("namespace", "");
      if (ns == "kube-system" || ns == "kube-flannel") {
        continue; // the workload's own add-ons
      }
      bool available = false;
      for (const auto& c : d.value("status", json::object()).value("conditions", json::array())) {
        available = available || (c.value("type", "") == "Available" && c.value("status", "") == "True");
      }
      out[ns + "/" + d["metadata"].value("name", "")] = available;
    }
    return out;
  }

  std::vector<int>
  moments(std::mt19937& rng, int kills, int span)
  {
    std::uniform_int_distribution<int> pick(1, span);
    std::set<int> chosen;
    while (static_cast<int>(chosen.size()) < kills) {
      chosen.insert(pick(rng));
    }
    return { chosen.begin(), chosen.end() };
  }
};

TEST_P(CapiKillAnywhere, KilledAtSeededMomentsEachRunContinuesAndEveryCountIsExact)
{
  const bool oxide = GetParam() == "oxide";
  const unsigned seed = env_number("OCNE_TEST_SEED", std::random_device{}());
  const int kills = static_cast<int>(env_number("OCNE_TEST_KILLS", 4));
  std::cerr << "seed " << seed << ", " << kills << " kills per command (replay: OCNE_TEST_SEED=" << seed << ")\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937 rng(seed);

  start_world({ .provider = GetParam() });
  const auto images = world->image_count();
  const auto file = world->write_cluster_file("demo", "workerNodes: 1\n", "selfManaged: true\n");
  const std::vector<std::string> start = { "cluster", "start", "-c", file.string() };

  // A self-managed start writes about 300 times in the test world (two
  // stacks, the cluster, the add-ons, the move), and more with the repeats
  // after each kill; moments past its end are not reached.
  const int before = all_writes();
  const int landed = kill_at(start, moments(rng, kills, 300));
  EXPECT_GT(landed, 0) << "no kill landed inside the start (seed " << seed << ")";
  auto r = ocne(start);
  ASSERT_EQ(r.exit_code, 0) << "seed " << seed << "\n" << r.err;
  std::cerr << "the start and its reruns wrote " << all_writes() - before << " times\n";
  world->settle();

  // One of everything.
  EXPECT_EQ(cached_state("demo", "phase"), "running");
  EXPECT_EQ(cached_state("demo", "capi.pivoted"), "true");
  EXPECT_TRUE(nodes_ready());
  EXPECT_EQ(world->image_count(), images);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Node"), 2U);
  EXPECT_EQ(
    world->count(CapiWorld::workload_side, "cluster.x-k8s.io/" + std::string(oxide ? "v1beta2" : "v1beta1"), "Cluster"),
    1U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "Machine"), 2U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "cluster.x-k8s.io/v1beta1", "MachineSet"), 1U);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
  EXPECT_EQ(world->count(CapiWorld::management_side, "cluster.x-k8s.io/v1beta1", "Machine"), 0U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Secret", "kube-system"), oxide ? 1U : 2U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "v1", "Secret", "ocne", "clusterctl.cluster.x-k8s.io/move"),
            oxide ? 1U : 0U);
  EXPECT_EQ(world->count(CapiWorld::workload_side, "apps/v1", "DaemonSet", "kube-flannel"), 1U);
  // Every controller of the stack, in both clusters, and each Available.
  const auto management = stack_deployments(CapiWorld::management_side);
  const auto workload = stack_deployments(CapiWorld::workload_side);
  EXPECT_EQ(management.size(), 7U); // cert-manager's three, core, bootstrap, control plane, infrastructure
  EXPECT_EQ(management, workload);
  for (const auto& [name, available] : workload) {
    EXPECT_TRUE(available) << name;
  }
  for (const auto* name :
       { "cert-manager/cert-manager", "cert-manager/cert-manager-webhook", "capi-system/capi-controller-manager" }) {
    EXPECT_EQ(workload.count(name), 1U) << name;
  }

  // The delete, killed as well, then finished.
  const std::vector<std::string> del = { "cluster", "delete", "-C", "demo" };
  kill_at(del, moments(rng, std::max(1, kills / 2), 60));
  r = ocne(del);
  ASSERT_EQ(r.exit_code, 0) << "seed " << seed << "\n" << r.err;
  EXPECT_FALSE(cached("demo"));
  for (const auto side : { CapiWorld::management_side, CapiWorld::workload_side }) {
    EXPECT_EQ(world->count(side, "cluster.x-k8s.io/v1beta1", "Cluster"), 0U);
    EXPECT_EQ(world->count(side, "cluster.x-k8s.io/v1beta1", "Machine"), 0U);
    EXPECT_EQ(world->count(side, "v1", "Secret", "ocne"), 0U);
  }
  EXPECT_FALSE(std::filesystem::exists(kubeconfig("demo")));
}

// Killed right after cert-manager's Deployment was sent (its CRDs and more
// are in, the version annotation that says "installed" is not): the next
// run applies cert-manager again and finishes.
TEST_P(CapiKillAnywhere, KilledInsideCertManagersApplyTheNextRunFinishes)
{
  start_world({ .provider = GetParam() });
  const auto file = world->write_cluster_file("demo");
  const std::vector<std::string> start = { "cluster", "start", "-c", file.string() };
  const auto inside_cert_manager = [&] {
    for (const auto& r : world->requests(CapiWorld::management_side)) {
      if (r.method == "PATCH" && r.target.find("/namespaces/cert-manager/deployments/") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  int code = 0;
  ASSERT_TRUE(run_killed_when(start, inside_cert_manager, code)) << code;
  const auto crd =
    world->management().get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "certificates.cert-manager.io");
  ASSERT_TRUE(crd);
  EXPECT_FALSE(k8s::has_annotation(*crd, "certmanager.clusterctl.cluster.x-k8s.io/version"));

  const auto r = ocne(start);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "Installing cert-manager into cert-manager: ok\n")) << r.err;
  EXPECT_TRUE(nodes_ready());
}

// What ocne owns of an object: everything but its status, its
// resourceVersion, the managedFields entries of others (controllers), and
// what cert-manager's cainjector writes (the caBundle of a CRD's conversion
// webhook or of an admission webhook, with the generation it bumps): the
// injector fills it once the Certificate it names is Ready, which is during
// the rerun when the kill came before the provider's Issuer was applied.
json
owned_part(json object)
{
  object.erase("status");
  auto& meta = object["metadata"];
  meta.erase("resourceVersion");
  const auto drop_ca_bundle = [](json& holder) {
    if (holder.is_object() && holder.contains("clientConfig")) {
      holder["clientConfig"].erase("caBundle");
    }
  };
  const std::string kind = object.value("kind", "");
  if (kind == "CustomResourceDefinition") {
    meta.erase("generation");
    if (object.contains("spec") && object["spec"].contains("conversion") &&
        object["spec"]["conversion"].contains("webhook")) {
      drop_ca_bundle(object["spec"]["conversion"]["webhook"]);
    }
  } else if (kind == "MutatingWebhookConfiguration" || kind == "ValidatingWebhookConfiguration") {
    meta.erase("generation");
    if (object.contains("webhooks")) {
      for (auto& webhook : object["webhooks"]) {
        drop_ca_bundle(webhook);
      }
    }
  }
  json mine = json::array();
  for (const auto& e : meta.value("managedFields", json::array())) {
    if (e.value("manager", "") == "ocne") {
      mine.push_back(e);
    }
  }
  meta["managedFields"] = mine;
  return object;
}

bool
applied_by_ocne(const json& object)
{
  for (const auto& e : object["metadata"].value("managedFields", json::array())) {
    if (e.value("manager", "") == "ocne" && e.value("operation", "") == "Apply") {
      return true;
    }
  }
  return false;
}

std::string
key_of(const json& o)
{
  const auto& m = o["metadata"];
  return o.value("apiVersion", "") + " " + o.value("kind", "") + " " + m.value("namespace", "") + "/" +
         m.value("name", "");
}

// Killed inside the core provider's apply (its CRDs and some of its objects
// in, its inventory Provider not): the rerun applies the provider again.
// Every object ocne had applied is left as it was (a server-side apply of an
// unchanged object changes nothing: no event, the same resourceVersion),
// and the missing ones are created.
TEST_P(CapiKillAnywhere, KilledInsideAProvidersApplyTheRerunChangesNothingItHadWritten)
{
  start_world({ .provider = GetParam() });
  auto& management = world->management();
  std::mutex lock;
  std::map<std::string, json> seen;   // every object added or modified, as last seen
  std::map<std::string, json> before; // those ocne had applied when it was killed
  std::map<std::string, int> changes; // the rerun's events that change what ocne owns of those
  bool rerun = false;
  const int hook = management.on({}, [&](kube::KubeTestServer&, const kube::ObjectEvent& e) {
    const std::lock_guard<std::mutex> hold(lock);
    const auto key = key_of(*e.object);
    if (rerun && before.count(key) != 0) {
      const auto diff = e.old_object ? json::diff(owned_part(*e.old_object), owned_part(*e.object))
                                     : json::array({ { "op", "add" }, { "path", "" } });
      if (!diff.empty()) {
        ++changes[key];
        std::cerr << "the rerun changed " << key << ": " << diff.dump() << "\n";
      }
    }
    seen[key] = *e.object;
  });
  const auto file = world->write_cluster_file("demo");
  const std::vector<std::string> start = { "cluster", "start", "-c", file.string() };
  const auto inside_core = [&] {
    for (const auto& r : world->requests(CapiWorld::management_side)) {
      if (r.method == "PATCH" && r.target.find("/namespaces/capi-system/") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  int code = 0;
  ASSERT_TRUE(run_killed_when(start, inside_core, code)) << code;
  management.wait_idle();
  const k8s::ObjectRef inventory{ "clusterctl.cluster.x-k8s.io/v1alpha3", "Provider", "capi-system", "cluster-api" };
  ASSERT_FALSE(management.get(inventory.api_version, inventory.kind, inventory.namespace_, inventory.name))
    << "killed too late: the core provider was complete";
  ASSERT_FALSE(management.get("apps/v1", "Deployment", "capi-system", "capi-controller-manager"))
    << "killed too late: the core provider's Deployment was in";

  {
    const std::lock_guard<std::mutex> hold(lock);
    for (const auto& [key, last] : seen) {
      const auto& m = last["metadata"];
      auto object = management.get(
        last.value("apiVersion", ""), last.value("kind", ""), m.value("namespace", ""), m.value("name", ""));
      if (object && applied_by_ocne(*object)) {
        before[key] = *object;
      }
    }
    rerun = true;
  }
  std::size_t core_objects = 0;
  for (const auto& [key, object] : before) {
    core_objects += has(key, " capi-system/") || has(key, "cluster.x-k8s.io/") ? 1 : 0;
  }
  ASSERT_GT(core_objects, 0U) << "killed before the core provider wrote anything";

  const auto r = ocne(start);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  management.wait_idle();
  management.remove_hook(hook);
  const std::lock_guard<std::mutex> hold(lock);
  for (const auto& [key, object] : before) {
    EXPECT_EQ(changes[key], 0) << key << " was written again with a change";
    const auto& m = object["metadata"];
    const auto now = management.get(
      object.value("apiVersion", ""), object.value("kind", ""), m.value("namespace", ""), m.value("name", ""));
    ASSERT_TRUE(now) << key << " is gone";
    EXPECT_EQ(owned_part(*now), owned_part(object)) << key;
  }
  // The missing ones are created.
  EXPECT_TRUE(management.get(inventory.api_version, inventory.kind, inventory.namespace_, inventory.name));
  EXPECT_TRUE(management.get("apps/v1", "Deployment", "capi-system", "capi-controller-manager"));
  EXPECT_TRUE(nodes_ready());
}

INSTANTIATE_TEST_SUITE_P(Providers, CapiKillAnywhere, ::testing::Values("oci", "oxide"));

} // namespace
} // namespace ocne::test
