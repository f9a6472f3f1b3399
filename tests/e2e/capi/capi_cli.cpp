#include "tests/e2e/capi/capi_cli.hpp"

#include "pkg/core/cluster_cache.hpp"
#include "tests/support/shared_dir.hpp"

namespace ocne::test {

void
CapiCliTest::SetUp()
{
  OCNE_REQUIRE_SHARED(); // the world installs its real manifests and CRDs
}

void
CapiCliTest::start_world(CapiWorldOptions options)
{
  world = std::make_unique<CapiWorld>(dir(), std::move(options));
}

std::map<std::string, std::string>
CapiCliTest::ocne_env(const std::map<std::string, std::string>& extra_env, int timeout_seconds) const
{
  auto env = world->env();
  env["OCNE_CAPI_POLL_MS"] = "100";
  env["OCNE_CAPI_TIMEOUT"] = std::to_string(timeout_seconds);
  for (const auto& [k, v] : extra_env) {
    env[k] = v;
  }
  return ocne_environment(world->home(), env);
}

OcneRun
CapiCliTest::ocne(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& extra_env,
                  int timeout_seconds)
{
  return run_ocne(args, world->home(), ocne_env(extra_env, timeout_seconds));
}

std::filesystem::path
CapiCliTest::kubeconfig(const std::string& name) const
{
  return world->home() / ".kube" / ("kubeconfig." + name);
}

std::string
CapiCliTest::cached_state(const std::string& name, const std::string& key) const
{
  auto cache = ClusterCache::load(world->home() / ".ocne" / "clusters.yaml");
  if (!cache) {
    ADD_FAILURE() << cache.error().message();
    return {};
  }
  const auto* record = cache->find(name);
  if (record == nullptr) {
    return {};
  }
  const auto it = record->state.find(key);
  return it == record->state.end() ? std::string() : it->second;
}

bool
CapiCliTest::cached(const std::string& name) const
{
  return !cached_state(name, "provider").empty();
}

int
CapiCliTest::writes(CapiWorld::Side side) const
{
  int n = 0;
  for (const auto& r : world->requests(side)) {
    if (r.method != "GET") {
      ++n;
    }
  }
  return n;
}

bool
CapiCliTest::nodes_ready() const
{
  const auto nodes = world->workload().list("v1", "Node");
  if (nodes.empty()) {
    return false;
  }
  for (const auto& n : nodes) {
    bool ready = false;
    for (const auto& c : n["status"].value("conditions", nlohmann::json::array())) {
      ready = ready || (c.value("type", "") == "Ready" && c.value("status", "") == "True");
    }
    if (!ready) {
      return false;
    }
  }
  return true;
}

int
count_lines_with(const std::string& text, const std::string& needle)
{
  int n = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    if (text.substr(start, end - start).find(needle) != std::string::npos) {
      ++n;
    }
    start = end + 1;
  }
  return n;
}

} // namespace ocne::test
