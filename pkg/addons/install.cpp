#include "pkg/addons/install.hpp"

#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/wait.hpp"

#include <fmt/format.h>

namespace ocne::addons {

namespace {

using json = nlohmann::json;

Status
wait_daemonset(k8s::Client& client, const json& ds, const k8s::WaitOptions& wait)
{
  const auto ref = k8s::ObjectRef::of(ds);
  auto result = k8s::wait_for(
    client,
    ref,
    "to be rolled out",
    [](const json* d) {
      if (d == nullptr) {
        return k8s::Observation{ false, "not found" };
      }
      const json status = d->value("status", json::object());
      const auto generation = (*d)["metadata"].value("generation", 0LL);
      const auto desired = status.value("desiredNumberScheduled", -1LL);
      const auto updated = status.value("updatedNumberScheduled", 0LL);
      const auto available = status.value("numberAvailable", 0LL);
      const bool done = status.value("observedGeneration", 0LL) >= generation && desired >= 0 && updated == desired &&
                        available == desired;
      return k8s::Observation{ done,
                               desired < 0
                                 ? std::string("no status yet")
                                 : fmt::format("{} of {} pods available, {} updated", available, desired, updated) };
    },
    wait,
    null_progress());
  if (!result) {
    const auto why = k8s::describe_pod_problems(client, ds);
    return make_error(result.error().kind(), "{}{}", result.error().message(), why.empty() ? "" : "; " + why);
  }
  return {};
}

// Ends on Ctrl-C too (it ran to its timeout before poll()).
Status
wait_nodes_ready(k8s::Client& client, const InstallOptions& options, Clock::time_point deadline)
{
  Clock& clock = clock_or_real(options.clock);
  PollMessages messages;
  messages.timed_out = [&](std::string_view last) {
    return Error(ErrorKind::timeout,
                 fmt::format("timed out after {} waiting for every node to be Ready: {}",
                             k8s::format_duration(options.timeout),
                             last));
  };
  messages.interrupted = [] {
    return Error(ErrorKind::cancelled, "interrupted while waiting for every node to be Ready");
  };
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
  return poll(
    { .timeout = std::max(left, std::chrono::milliseconds(0)), .interval = options.interval, .clock = options.clock },
    messages,
    [&]() -> Status {
      auto nodes = client.list({ "", "v1", "Node" });
      if (!nodes) {
        return not_ready_yet(nodes.error().message());
      }
      std::vector<std::string> not_ready;
      for (const auto& node : nodes->items) {
        std::string reason = "no Ready condition";
        bool ready = false;
        for (const auto& c : node.value("status", json::object()).value("conditions", json::array())) {
          if (c.value("type", "") == "Ready") {
            ready = c.value("status", "") == "True";
            reason =
              fmt::format("Ready={} ({}: {})", c.value("status", "?"), c.value("reason", "?"), c.value("message", ""));
          }
        }
        if (!ready) {
          not_ready.push_back(fmt::format("node {} {}", k8s::string_at(node, "/metadata/name"), reason));
        }
      }
      if (!nodes->items.empty() && not_ready.empty()) {
        return {};
      }
      return not_ready_yet(nodes->items.empty() ? "no nodes yet" : str::join(not_ready, "; "));
    });
}

} // namespace

bool
contains(const json& have, const json& want)
{
  if (want.is_object()) {
    if (!have.is_object()) {
      return false;
    }
    for (const auto& [key, value] : want.items()) {
      const auto it = have.find(key);
      if (it == have.end() || !contains(*it, value)) {
        return false;
      }
    }
    return true;
  }
  if (want.is_array()) {
    if (!have.is_array() || have.size() != want.size()) {
      return false;
    }
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (!contains(have[i], want[i])) {
        return false;
      }
    }
    return true;
  }
  return want == have;
}

Result<InstallResult>
install_addons(k8s::Client& client,
               const std::vector<Addon>& addons,
               const InstallOptions& options,
               ProgressSink& progress)
{
  InstallResult result;
  for (const auto& addon : addons) {
    ProgressTask task(progress, fmt::format("Installing {} into {}", addon.name, addon.namespace_));
    std::vector<json> changed;
    for (const auto& object : addon.objects) {
      auto live = client.find(k8s::ObjectRef::of(object));
      if (live && *live && contains(**live, object)) {
        ++result.unchanged;
        continue;
      }
      changed.push_back(object);
    }
    if (!changed.empty()) {
      auto applied = k8s::apply_objects(client, changed, {}, {}, null_progress());
      if (!applied) {
        task.fail(applied.error().message());
        return make_error(applied.error().with_context(fmt::format("installing {}", addon.name)));
      }
      result.applied += static_cast<int>(changed.size());
    }
    task.succeed();
  }

  ProgressTask wait(progress,
                    options.wait_for_nodes ? "Waiting for the cluster's add-ons and nodes to be ready"
                                           : "Waiting for the cluster's add-ons to be ready");
  const auto deadline = clock_or_real(options.clock).now() + options.timeout;
  std::vector<std::string> failures;
  for (const auto& addon : addons) {
    for (const auto& object : addon.objects) {
      const std::string kind = object.value("kind", "");
      Status status;
      if (kind == "DaemonSet") {
        status = wait_daemonset(client, object, k8s::wait_until(deadline, options.interval, options.clock));
      } else if (kind == "Deployment") {
        const auto ref = k8s::ObjectRef::of(object);
        status = k8s::wait_deployment_available(client,
                                                ref.namespace_,
                                                ref.name,
                                                k8s::wait_until(deadline, options.interval, options.clock),
                                                null_progress());
        if (!status) {
          const auto why = k8s::describe_pod_problems(client, object);
          status = make_error(status.error().kind(), "{}{}", status.error().message(), why.empty() ? "" : "; " + why);
        }
      }
      if (!status) {
        failures.push_back(fmt::format("{}: {}", addon.name, status.error().message()));
      }
    }
  }
  if (failures.empty() && options.wait_for_nodes) {
    if (auto ready = wait_nodes_ready(client, options, deadline); !ready) {
      failures.push_back(ready.error().message());
    }
  }
  if (!failures.empty()) {
    const auto message = str::join(failures, "; ");
    wait.fail(message);
    return make_error(ErrorKind::timeout, "the cluster's add-ons did not become ready: {}", message);
  }
  wait.succeed();
  return result;
}

} // namespace ocne::addons
