#include "pkg/k8s/wait.hpp"

#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>

namespace ocne::k8s {

using nlohmann::json;

namespace {

const json*
find_condition(const json& object, std::string_view type)
{
  const auto status = object.find("status");
  if (status == object.end() || !status->is_object()) {
    return nullptr;
  }
  const auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) {
    return nullptr;
  }
  for (const auto& c : *conditions) {
    if (string_at(c, "/type") == type) {
      return &c;
    }
  }
  return nullptr;
}

std::string
object_words(const ObjectRef& ref)
{
  const auto kind = str::to_lower(ref.kind);
  return ref.namespace_.empty() ? fmt::format("{} {}", kind, ref.name)
                                : fmt::format("{} {}/{}", kind, ref.namespace_, ref.name);
}

bool
condition_is(const json& object, std::string_view type, std::string_view status)
{
  const auto* c = find_condition(object, type);
  return c != nullptr && string_at(*c, "/status") == status;
}

} // namespace

WaitOptions
wait_until(Clock::time_point deadline, std::chrono::milliseconds interval, Clock* clock)
{
  WaitOptions w;
  w.timeout =
    std::max(std::chrono::ceil<std::chrono::seconds>(deadline - clock_or_real(clock).now()), std::chrono::seconds(1));
  w.interval = interval;
  w.clock = clock;
  return w;
}

std::string
describe_pod_problems(Client& client, const json& workload)
{
  std::vector<std::string> selector;
  const json spec = workload.value("spec", json::object());
  if (spec.contains("selector") && spec["selector"].contains("matchLabels")) {
    for (const auto& [k, v] : spec["selector"]["matchLabels"].items()) {
      selector.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
    }
  }
  ListOptions list;
  list.namespace_ = string_at(workload, "/metadata/namespace");
  list.label_selector = str::join(selector, ",");
  auto pods = client.list({ "", "v1", "Pod" }, list);
  if (!pods) {
    return "";
  }
  if (pods->items.empty()) {
    return "no pods were created";
  }
  std::vector<std::string> reasons;
  for (const auto& pod : pods->items) {
    const std::string name = string_at(pod, "/metadata/name");
    const json status = pod.value("status", json::object());
    for (const auto* key : { "initContainerStatuses", "containerStatuses" }) {
      for (const auto& cs : status.value(key, json::array())) {
        if (cs.contains("state") && cs["state"].contains("waiting")) {
          const json& w = cs["state"]["waiting"];
          std::string line = fmt::format("pod {}: container {} is waiting: {} (image {})",
                                         name,
                                         cs.value("name", "?"),
                                         w.value("reason", "?"),
                                         cs.value("image", "?"));
          if (w.contains("message") && w["message"].is_string()) {
            line += ": " + w["message"].get<std::string>();
          }
          reasons.push_back(std::move(line));
        }
      }
    }
    for (const auto& c : status.value("conditions", json::array())) {
      if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False") {
        reasons.push_back(fmt::format("pod {} is not scheduled: {}", name, c.value("message", c.value("reason", "?"))));
      }
    }
    if (reasons.size() >= 3) {
      break;
    }
  }
  return str::join(reasons, "; ");
}

std::string
format_duration(std::chrono::milliseconds d)
{
  const auto ms = d.count();
  if (ms < 1000) {
    return fmt::format("{}ms", ms);
  }
  if (ms < 10000 && ms % 1000 != 0) {
    return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0);
  }
  const auto total_s = ms / 1000;
  const auto h = total_s / 3600;
  const auto m = (total_s % 3600) / 60;
  const auto s = total_s % 60;
  std::string out;
  if (h > 0) {
    out += fmt::format("{}h", h);
  }
  if (m > 0) {
    out += fmt::format("{}m", m);
  }
  if (s > 0 || out.empty()) {
    out += fmt::format("{}s", s);
  }
  return out;
}

std::string
describe_condition(const json& object, std::string_view type)
{
  const auto* c = find_condition(object, type);
  if (c == nullptr) {
    return fmt::format("no {} condition", type);
  }
  auto text = fmt::format("condition {}={}", type, string_at(*c, "/status"));
  if (const auto reason = string_at(*c, "/reason"); !reason.empty()) {
    text += fmt::format(" ({})", reason);
  }
  return text;
}

Result<json>
wait_for(Client& client,
         const ObjectRef& ref,
         std::string_view goal,
         const Check& check,
         const WaitOptions& options,
         ProgressSink& progress)
{
  const auto subject = object_words(ref);
  ProgressTask task(progress, fmt::format("Waiting for {} {}", subject, goal));
  PollMessages messages;
  messages.timed_out = [&](std::string_view seen) {
    auto message = fmt::format(
      "timed out after {} waiting for {} {}: last seen {}", format_duration(options.timeout), subject, goal, seen);
    task.fail(message);
    return Error(ErrorKind::timeout, std::move(message));
  };
  messages.interrupted = [&] {
    task.fail("interrupted");
    return Error(ErrorKind::cancelled, fmt::format("interrupted while waiting for {} {}", subject, goal));
  };
  OCNE_TRY_ASSIGN(auto found,
                  poll({ .timeout = options.timeout, .interval = options.interval, .clock = options.clock },
                       messages,
                       [&]() -> Result<json> {
                         auto looked = client.find(ref);
                         if (!looked) {
                           const auto kind = looked.error().kind();
                           if (kind != ErrorKind::transient && kind != ErrorKind::timeout) {
                             task.fail(looked.error().message());
                             return make_error(kind, "waiting for {} {}: {}", subject, goal, looked.error().message());
                           }
                           return not_ready_yet(looked.error().message());
                         }
                         const json* object = looked->has_value() ? &**looked : nullptr;
                         auto observation = check(object);
                         if (observation.done) {
                           return object != nullptr ? *object : json(nullptr);
                         }
                         return not_ready_yet(observation.seen.empty() ? (object != nullptr ? "not ready" : "not found")
                                                                       : std::move(observation.seen));
                       }));
  task.succeed();
  return found;
}

Status
wait_crd_established(Client& client, std::string_view crd_name, const WaitOptions& options, ProgressSink& progress)
{
  const ObjectRef ref{ "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", std::string(crd_name) };
  OCNE_TRY(wait_for(
    client,
    ref,
    "to be Established",
    [](const json* crd) {
      if (crd == nullptr) {
        return Observation{ false, "not found" };
      }
      return Observation{ condition_is(*crd, "Established", "True"), describe_condition(*crd, "Established") };
    },
    options,
    progress));
  client.invalidate_discovery();
  return {};
}

Status
wait_deployment_available(Client& client,
                          std::string_view ns,
                          std::string_view name,
                          const WaitOptions& options,
                          ProgressSink& progress)
{
  const ObjectRef ref{ "apps/v1", "Deployment", std::string(ns), std::string(name) };
  OCNE_TRY(wait_for(
    client,
    ref,
    "to be Available",
    [](const json* d) {
      if (d == nullptr) {
        return Observation{ false, "not found" };
      }
      const auto& status = d->contains("status") ? (*d)["status"] : json::object();
      const auto generation = d->contains("metadata") ? (*d)["metadata"].value("generation", 0LL) : 0LL;
      const auto observed = status.is_object() ? status.value("observedGeneration", 0LL) : 0LL;
      const auto wanted =
        d->contains("spec") && (*d)["spec"].contains("replicas") ? (*d)["spec"].value("replicas", 1LL) : 1LL;
      const auto available = status.is_object() ? status.value("availableReplicas", 0LL) : 0LL;
      auto seen = fmt::format("{}/{} replicas available, {}", available, wanted, describe_condition(*d, "Available"));
      if (observed < generation) {
        seen += fmt::format(", generation {} not yet observed", generation);
      }
      const bool done = observed >= generation && condition_is(*d, "Available", "True");
      return Observation{ done, seen };
    },
    options,
    progress));
  return {};
}

Result<json>
wait_condition(Client& client,
               const ObjectRef& ref,
               std::string_view type,
               std::string_view status,
               const WaitOptions& options,
               ProgressSink& progress)
{
  const std::string wanted_type(type);
  const std::string wanted_status(status.empty() ? "True" : status);
  return wait_for(
    client,
    ref,
    fmt::format("to have condition {}={}", wanted_type, wanted_status),
    [&](const json* object) {
      if (object == nullptr) {
        return Observation{ false, "not found" };
      }
      return Observation{ condition_is(*object, wanted_type, wanted_status), describe_condition(*object, wanted_type) };
    },
    options,
    progress);
}

Status
wait_deleted(Client& client, const ObjectRef& ref, const WaitOptions& options, ProgressSink& progress)
{
  OCNE_TRY(wait_for(
    client,
    ref,
    "to be deleted",
    [](const json* object) {
      if (object == nullptr) {
        return Observation{ true, "gone" };
      }
      std::string seen = "still present";
      const auto& meta = object->contains("metadata") ? (*object)["metadata"] : *object;
      if (meta.contains("deletionTimestamp")) {
        seen = "being deleted";
        if (meta.contains("finalizers") && meta["finalizers"].is_array() && !meta["finalizers"].empty()) {
          std::vector<std::string> names;
          for (const auto& f : meta["finalizers"]) {
            names.push_back(f.is_string() ? f.get<std::string>() : f.dump());
          }
          seen += ", waiting on finalizers " + str::join(names, ", ");
        }
      }
      return Observation{ false, seen };
    },
    options,
    progress));
  return {};
}

Result<json>
wait_secret(Client& client,
            std::string_view ns,
            std::string_view name,
            const WaitOptions& options,
            ProgressSink& progress)
{
  const ObjectRef ref{ "v1", "Secret", std::string(ns), std::string(name) };
  return wait_for(
    client,
    ref,
    "to exist",
    [](const json* secret) {
      return Observation{ secret != nullptr, secret != nullptr ? "present" : "not found" };
    },
    options,
    progress);
}

} // namespace ocne::k8s
