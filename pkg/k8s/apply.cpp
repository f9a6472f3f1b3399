#include "pkg/k8s/apply.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/k8s/wait.hpp"
#include "pkg/k8s/yaml.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace ocne::k8s {

using nlohmann::json;

namespace {

bool
is_crd(const json& object)
{
  return string_at(object, "/kind") == "CustomResourceDefinition" &&
         str::starts_with(string_at(object, "/apiVersion"), "apiextensions.k8s.io/");
}

bool
is_namespace(const json& object)
{
  return string_at(object, "/kind") == "Namespace" && string_at(object, "/apiVersion") == "v1";
}

// The kinds a CRD of the stream defines ("group/version" + kind).
std::set<GroupVersionKind>
kinds_defined_by(const json& crd)
{
  std::set<GroupVersionKind> out;
  const auto group = string_at(crd, "/spec/group");
  const auto kind = string_at(crd, "/spec/names/kind");
  const auto spec = crd.find("spec");
  if (spec == crd.end() || !spec->is_object() || !spec->contains("versions") || !(*spec)["versions"].is_array()) {
    return out;
  }
  for (const auto& v : (*spec)["versions"]) {
    out.insert(GroupVersionKind{ group, string_at(v, "/name"), kind });
  }
  return out;
}

Status
check_shape(const json& object, const std::string& origin)
{
  if (string_at(object, "/apiVersion").empty()) {
    return make_error(ErrorKind::invalid_input, "{}: apiVersion is missing", origin);
  }
  if (string_at(object, "/kind").empty()) {
    return make_error(ErrorKind::invalid_input, "{}: kind is missing", origin);
  }
  if (string_at(object, "/metadata/name").empty()) {
    return make_error(ErrorKind::invalid_input,
                      "{}: metadata.name is missing ({} {})",
                      origin,
                      string_at(object, "/apiVersion"),
                      string_at(object, "/kind"));
  }
  return {};
}

struct Item
{
  json object;
  std::string origin;
};

// Applies one phase's items with up to `parallel` requests in flight. On the
// first failure no new item starts; the error is the first failing item's in
// stream order.
Status
apply_phase(Client& client,
            std::vector<Item>& items,
            const ManifestOptions& options,
            ProgressTask& task,
            std::vector<std::optional<AppliedObject>>& results)
{
  if (items.empty()) {
    return {};
  }
  std::atomic<std::size_t> next{ 0 };
  std::atomic<bool> failed{ false };
  std::mutex mutex;
  std::vector<std::optional<Error>> errors(items.size());

  auto work = [&] {
    while (!failed) {
      const auto i = next.fetch_add(1);
      if (i >= items.size()) {
        return;
      }
      auto& item = items[i];
      if (!options.default_namespace.empty() && string_at(item.object, "/metadata/namespace").empty()) {
        item.object["metadata"]["namespace"] = options.default_namespace;
      }
      AppliedObject applied;
      applied.ref = ObjectRef::of(item.object);
      Result<json> outcome = json();
      if (options.create_only) {
        auto created = client.create_if_absent(item.object);
        if (created) {
          applied.action = created->second ? "created" : "exists";
          outcome = std::move(created->first);
        } else {
          outcome = tl::unexpected(created.error());
        }
      } else {
        outcome = client.apply(item.object, options.apply);
        applied.action = "applied";
      }
      if (!outcome) {
        const std::lock_guard lock(mutex);
        errors[i] = outcome.error().with_context(item.origin);
        failed = true;
        return;
      }
      applied.ref.namespace_ = string_at(*outcome, "/metadata/namespace");
      results[i] = std::move(applied);
      task.advance(1);
    }
  };

  const int parallel = std::max(1, std::min<int>(client.options().parallelism, static_cast<int>(items.size())));
  std::vector<std::thread> threads;
  for (int t = 1; t < parallel; ++t) {
    threads.emplace_back(work);
  }
  work();
  for (auto& t : threads) {
    t.join();
  }
  for (auto& e : errors) {
    if (e) {
      return make_error(std::move(*e));
    }
  }
  return {};
}

} // namespace

Result<std::vector<AppliedObject>>
apply_objects(Client& client,
              std::vector<json> objects,
              const std::vector<std::string>& origins,
              const ManifestOptions& options,
              ProgressSink& progress)
{
  // Check everything before sending anything.
  std::vector<Item> namespaces;
  std::vector<Item> crds;
  std::vector<Item> rest;
  std::set<GroupVersionKind> stream_kinds;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    auto origin = i < origins.size() && !origins[i].empty() ? origins[i] : fmt::format("object {}", i + 1);
    OCNE_TRY(check_shape(objects[i], origin));
    if (is_crd(objects[i])) {
      auto defined = kinds_defined_by(objects[i]);
      stream_kinds.insert(defined.begin(), defined.end());
      crds.push_back({ std::move(objects[i]), std::move(origin) });
    } else if (is_namespace(objects[i])) {
      namespaces.push_back({ std::move(objects[i]), std::move(origin) });
    } else {
      rest.push_back({ std::move(objects[i]), std::move(origin) });
    }
  }
  for (auto* phase : { &namespaces, &crds, &rest }) {
    for (const auto& item : *phase) {
      const auto gvk = ObjectRef::of(item.object).gvk();
      if (stream_kinds.count(gvk) > 0) {
        continue;
      }
      if (auto m = client.mapping(gvk); !m) {
        return make_error(m.error().kind(), "{}: {}", item.origin, m.error().message());
      }
    }
  }

  const auto total = namespaces.size() + crds.size() + rest.size();
  ProgressTask task(progress, fmt::format("Applying {} objects", total), total);
  std::vector<AppliedObject> out;
  std::size_t done = 0;
  auto run = [&](std::vector<Item>& items) -> Status {
    std::vector<std::optional<AppliedObject>> results(items.size());
    auto status = apply_phase(client, items, options, task, results);
    for (auto& r : results) {
      if (r) {
        out.push_back(std::move(*r));
        ++done;
      }
    }
    if (!status) {
      auto message =
        fmt::format("{} ({} of {} objects were applied before this error)", status.error().message(), done, total);
      task.fail(message);
      return make_error(status.error().kind(), "{}", message);
    }
    return {};
  };

  OCNE_TRY(run(namespaces));
  OCNE_TRY(run(crds));
  if (!crds.empty() && !options.apply.dry_run) {
    for (const auto& item : crds) {
      WaitOptions wait;
      wait.timeout = options.crd_timeout;
      wait.interval = std::chrono::milliseconds(100);
      auto established = wait_crd_established(client, string_at(item.object, "/metadata/name"), wait, null_progress());
      if (!established) {
        return make_error(established.error().with_context(item.origin));
      }
    }
    client.invalidate_discovery();
  }
  OCNE_TRY(run(rest));
  task.succeed();
  return out;
}

Result<std::vector<AppliedObject>>
apply_manifest(Client& client,
               std::string_view yaml,
               std::string_view source,
               const ManifestOptions& options,
               ProgressSink& progress)
{
  std::vector<ParsedDocument> where;
  OCNE_TRY_ASSIGN(auto objects, parse_yaml_stream(yaml, source, &where));
  std::vector<std::string> origins;
  for (const auto& w : where) {
    origins.push_back(w.item >= 0 ? fmt::format("{}:{}: document {} item {}", source, w.line, w.index, w.item)
                                  : fmt::format("{}:{}: document {}", source, w.line, w.index));
  }
  return apply_objects(client, std::move(objects), origins, options, progress);
}

} // namespace ocne::k8s
