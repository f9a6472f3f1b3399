#pragma once

// Waiting for objects to reach a state, with a timeout and a message that
// says what was waited for and what was last seen:
//   timed out after 5m waiting for deployment capi-system/capi-controller-manager
//   to be Available: last seen 0/1 replicas available, condition Available=False
//   (MinimumReplicasUnavailable)

#include "pkg/core/clock.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace ocne::k8s {

struct WaitOptions
{
  std::chrono::milliseconds timeout{ std::chrono::minutes(5) };
  // Time between two looks at the object.
  std::chrono::milliseconds interval{ std::chrono::seconds(1) };
  Clock* clock = nullptr; // null: real_clock()
};

// What one look at the object found.
struct Observation
{
  bool done = false;
  std::string seen; // "0/1 replicas available", for the timeout message
};

// Looks at the object; nullptr when it does not exist.
using Check = std::function<Observation(const nlohmann::json* object)>;

// Polls ref until check says done (poll() in pkg/core/poll.hpp). goal completes "waiting for <object> <goal>".
// Transient errors (a restarting API server) are retried until the timeout;
// others end the wait at once. Returns the last object seen (null when absent).
Result<nlohmann::json> wait_for(Client& client,
                                const ObjectRef& ref,
                                std::string_view goal,
                                const Check& check,
                                const WaitOptions& options,
                                ProgressSink& progress);

Status wait_crd_established(Client& client,
                            std::string_view crd_name,
                            const WaitOptions& options,
                            ProgressSink& progress);
Status wait_deployment_available(Client& client,
                                 std::string_view ns,
                                 std::string_view name,
                                 const WaitOptions& options,
                                 ProgressSink& progress);
// Until status.conditions has type with the status ("True" by default).
Result<nlohmann::json> wait_condition(Client& client,
                                      const ObjectRef& ref,
                                      std::string_view type,
                                      std::string_view status,
                                      const WaitOptions& options,
                                      ProgressSink& progress);
Status wait_deleted(Client& client, const ObjectRef& ref, const WaitOptions& options, ProgressSink& progress);
// Until the Secret exists; returns it.
Result<nlohmann::json> wait_secret(Client& client,
                                   std::string_view ns,
                                   std::string_view name,
                                   const WaitOptions& options,
                                   ProgressSink& progress);

// The rest of a deadline several waits share, as one wait's options: whole
// seconds rounded up, so the first wait's timeout message says the
// configured time ("1m30s", not "1m29s"). The deadline is on `clock`.
WaitOptions wait_until(Clock::time_point deadline, std::chrono::milliseconds interval, Clock* clock = nullptr);

// Why the Pods a workload (Deployment, DaemonSet: anything with
// spec.selector.matchLabels) selects are not running, for timeout messages:
// containers' waiting reasons with their images, scheduling failures, or
// that no Pod exists. "" when the cluster says nothing.
std::string describe_pod_problems(Client& client, const nlohmann::json& workload);

// "5m", "1m30s", "45s", "1.5s", "200ms".
std::string format_duration(std::chrono::milliseconds d);

// "condition Available=False (MinimumReplicasUnavailable)", or
// "no Available condition" when absent.
std::string describe_condition(const nlohmann::json& object, std::string_view type);

} // namespace ocne::k8s
