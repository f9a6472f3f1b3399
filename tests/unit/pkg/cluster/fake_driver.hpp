#pragma once

// A scripted cluster::Driver for the orchestration tests: it "creates" named
// objects through the tracker and can fail at a chosen step.

#include "pkg/cluster/driver.hpp"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace ocne::cluster::test {

class FakeDriver final : public Driver
{
public:
  std::set<std::string> objects; // what "exists" on the fake provider
  std::vector<std::string> create = { "vm-1", "disk-1" };
  // Fails start after creating this many objects (-1 = never).
  int fail_after = -1;
  Error failure{ ErrorKind::io, "the fake provider broke" };
  int starts = 0;
  int destroys = 0;
  bool fail_destroy = false;

  std::string_view
  provider() const override
  {
    return "fake";
  }
  KubeconfigPaths
  kubeconfigs() const override
  {
    return { "/tmp/kubeconfig.fake.local", "/tmp/kubeconfig.fake.vm" };
  }
  Result<StartResult>
  start(StartContext& ctx) override
  {
    ++starts;
    StartResult result;
    result.kubeconfigs = kubeconfigs();
    if (!objects.empty()) {
      result.outcome = StartOutcome::already_running;
      return result;
    }
    int made = 0;
    for (const auto& name : create) {
      if (fail_after >= 0 && made == fail_after) {
        return tl::unexpected(failure);
      }
      OCNE_TRY(ctx.tracker.add({ "fake", "object", "", name }));
      objects.insert(name);
      OCNE_TRY(ctx.tracker.set_id("fake", "object", name, "id-" + name));
      ++made;
    }
    if (fail_after >= 0 && made == fail_after) {
      return tl::unexpected(failure);
    }
    return result;
  }
  Status
  destroy(DeleteContext& ctx) override
  {
    ++destroys;
    for (auto it = ctx.record.resources.rbegin(); it != ctx.record.resources.rend(); ++it) {
      if (fail_destroy) {
        return make_error(ErrorKind::io, "cannot delete {}", it->name);
      }
      objects.erase(it->name);
      OCNE_TRY(ctx.tracker.remove(it->provider, it->kind, it->name));
    }
    return {};
  }
};

} // namespace ocne::cluster::test
