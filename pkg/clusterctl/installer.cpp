#include "pkg/clusterctl/installer.hpp"

#include "pkg/clusterctl/cert_manager.hpp"
#include "pkg/clusterctl/components.hpp"
#include "pkg/clusterctl/inventory.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/wait.hpp"
#include "pkg/k8s/yaml.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <thread>

namespace ocne::clusterctl {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* k_cert_manager_crd = "certificates.cert-manager.io";

k8s::ObjectRef
crd_ref(std::string name)
{
  return { "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", std::move(name) };
}

// What the cluster already runs of a component: its version and namespace,
// or nothing. cert-manager is found by its CRD and clusterctl's annotation.
struct Existing
{
  std::string version; // empty: installed, version unknown (not by clusterctl or ocne)
  std::string namespace_;
};

Result<std::optional<Existing>>
find_existing(k8s::Client& client, const Component& component, const std::vector<json>& inventory)
{
  if (component.type == ProviderType::cert_manager) {
    OCNE_TRY_ASSIGN(auto crd, client.find(crd_ref(k_cert_manager_crd)));
    if (!crd) {
      return std::optional<Existing>();
    }
    std::string version;
    const auto& meta = (*crd)["metadata"];
    if (meta.contains("annotations") && meta["annotations"].is_object()) {
      version = meta["annotations"].value(std::string(k_cert_manager_version_annotation), "");
    }
    if (version.empty() && k8s::applied_by(*crd, client.options().field_manager)) {
      // ocne applied it, but its install stopped before the version
      // annotation, written last, said it was complete: apply it again.
      log::debug("cert-manager: an earlier install by ocne did not finish; applying it again");
      return std::optional<Existing>();
    }
    return std::optional<Existing>(Existing{ version, "cert-manager" });
  }
  // A provider's inventory entry is written after all of its objects.
  for (const auto& p : inventory) {
    if (k8s::string_at(p, "/metadata/name") == component.label && p.value("type", "") == to_string(component.type)) {
      return std::optional<Existing>(Existing{ p.value("version", ""), k8s::string_at(p, "/metadata/namespace") });
    }
  }
  return std::optional<Existing>();
}

struct Planned
{
  Component component;
  std::optional<Existing> existing;
  ProcessedComponent processed;
};

Status
wait_endpoints(k8s::Client& client, const ServiceRef& svc, const k8s::WaitOptions& wait)
{
  const k8s::ObjectRef ref{ "v1", "Endpoints", svc.namespace_, svc.name };
  auto result = k8s::wait_for(
    client,
    ref,
    "to have a ready address (the webhook Service's pods)",
    [](const json* e) {
      if (e == nullptr) {
        return k8s::Observation{ false, "no Endpoints yet" };
      }
      for (const auto& subset : e->value("subsets", json::array())) {
        if (!subset.value("addresses", json::array()).empty()) {
          return k8s::Observation{ true, "ready" };
        }
      }
      return k8s::Observation{ false, "no ready address" };
    },
    wait,
    null_progress());
  if (!result) {
    return make_error(result.error());
  }
  return {};
}

// Every Deployment Available and every webhook Service with an endpoint.
Status
wait_component(k8s::Client& client,
               const ProcessedComponent& processed,
               const InstallOptions& options,
               Clock::time_point deadline)
{
  for (const auto& d : processed.deployments) {
    auto status = k8s::wait_deployment_available(
      client, d.namespace_, d.name, k8s::wait_until(deadline, options.interval), null_progress());
    if (!status) {
      auto live = client.find(d);
      const auto why = live && *live ? k8s::describe_pod_problems(client, **live) : std::string();
      return make_error(status.error().kind(), "{}{}", status.error().message(), why.empty() ? "" : "; " + why);
    }
  }
  for (const auto& svc : processed.webhook_services) {
    OCNE_TRY(wait_endpoints(client, svc, k8s::wait_until(deadline, options.interval)));
  }
  return {};
}

// Applies a component's objects, then the marker that says it is installed
// (the inventory Provider; cert-manager's version annotation on its
// Certificate CRD), so a run killed half-way is seen as not installed and the
// next run applies it again.
Status
apply_component(k8s::Client& client, const Planned& plan, const InstallOptions& options)
{
  k8s::ManifestOptions manifest;
  manifest.crd_timeout = options.timeout;
  if (plan.component.type != ProviderType::cert_manager) {
    OCNE_TRY(k8s::apply_objects(client, plan.processed.objects, plan.processed.origins, manifest, null_progress()));
    if (!plan.processed.inventory.is_null()) {
      OCNE_TRY(client.apply(plan.processed.inventory));
    }
    return {};
  }
  auto objects = plan.processed.objects;
  std::optional<std::string> marker;
  for (auto& object : objects) {
    if (object.value("kind", "") == "CustomResourceDefinition" &&
        k8s::string_at(object, "/metadata/name") == k_cert_manager_crd) {
      auto& annotations = object["metadata"]["annotations"];
      const std::string key(k_cert_manager_version_annotation);
      if (annotations.is_object() && annotations.contains(key)) {
        marker = annotations[key].get<std::string>();
        annotations.erase(key);
      }
    }
  }
  OCNE_TRY(k8s::apply_objects(client, objects, plan.processed.origins, manifest, null_progress()));
  if (marker) {
    const json patch = { { "metadata",
                           { { "annotations", { { std::string(k_cert_manager_version_annotation), *marker } } } } } };
    OCNE_TRY(client.patch(crd_ref(k_cert_manager_crd), k8s::PatchType::merge, patch));
  }
  return {};
}

std::string
install_label(const Planned& plan)
{
  return fmt::format("Installing {} into {}", plan.component.display_name, plan.processed.target_namespace);
}

} // namespace

Lookup
variable_lookup(const Component& component, const ClusterctlConfig& clusterctl, const InstallOptions& options)
{
  return [&component, &clusterctl, &options](std::string_view name) -> std::optional<std::string> {
    if (auto v = options.env.get(name)) {
      return v;
    }
    if (const auto it = clusterctl.variables.find(name); it != clusterctl.variables.end()) {
      return it->second;
    }
    if (const auto it = options.values.find(name); it != options.values.end()) {
      return it->second;
    }
    for (const auto& [k, v] : component.variables) {
      if (k == name) {
        return v;
      }
    }
    return std::nullopt;
  };
}

Result<InstallReport>
install_stack(k8s::Client& client,
              const Stack& stack,
              const ComponentSource& source,
              const InstallOptions& options,
              ProgressSink& progress)
{
  // What is there already (read only); a version other than ours stops
  // everything before anything is written.
  OCNE_TRY_ASSIGN(auto inventory, read_inventory(client));
  std::vector<Planned> plans;
  std::vector<std::string> conflicts;
  for (const auto& row : stack.components) {
    Planned plan{ source.resolve(row), std::nullopt, {} };
    OCNE_TRY_ASSIGN(plan.existing, find_existing(client, plan.component, inventory));
    if (plan.existing && !plan.existing->version.empty() && plan.existing->version != plan.component.version) {
      conflicts.push_back(fmt::format(
        "{} {} is installed in {}, this stack needs {}: upgrade it (clusterctl upgrade apply) or remove it, "
        "ocne never upgrades a provider itself",
        plan.component.label,
        plan.existing->version,
        plan.existing->namespace_,
        plan.component.version));
    }
    plans.push_back(std::move(plan));
  }
  if (!conflicts.empty()) {
    return make_error(ErrorKind::conflict, "{}", str::join(conflicts, "; "));
  }

  // Fetch and process everything (also what is installed: its Deployments
  // and webhooks are waited for below).
  for (auto& plan : plans) {
    const auto& c = plan.component;
    OCNE_TRY_ASSIGN(auto file, source.fetch(c, c.components));
    log::debug("{} {}: {} from {}", c.label, c.version, c.components, file.origin);
    if (!c.metadata.empty()) {
      OCNE_TRY_ASSIGN(auto metadata, source.fetch(c, c.metadata));
      OCNE_TRY(check_metadata(c, stack, metadata.text, metadata.origin));
    }
    ProcessOptions process;
    process.extra_images = source.clusterctl().images_for(c);
    process.variables = variable_lookup(c, source.clusterctl(), options);
    process.proxy = options.proxy;
    OCNE_TRY_ASSIGN(
      plan.processed,
      process_component(c, file.text, fmt::format("{} {} {}", c.label, c.version, c.components), process));
  }

  // The first write: clusterctl's inventory CRD, for the Provider objects.
  if (std::any_of(plans.begin(), plans.end(), [](const Planned& p) { return !p.existing; })) {
    OCNE_TRY(ensure_inventory_crd(client, options.timeout));
    client.invalidate_discovery();
  }

  InstallReport report;
  const auto deadline = Clock::now() + options.timeout;
  for (auto& plan : plans) {
    ComponentResult result{ plan.component.label,
                            plan.component.display_name,
                            plan.component.version,
                            plan.processed.target_namespace,
                            false,
                            static_cast<int>(plan.processed.objects.size()) };
    ProgressTask task(progress, install_label(plan));
    if (plan.existing) {
      task.succeed(plan.existing->version.empty() ? "ok (already installed, not by ocne or clusterctl: left as it is)"
                                                  : "ok (already installed)");
    } else {
      if (auto applied = apply_component(client, plan, options); !applied) {
        task.fail(applied.error().message());
        return make_error(applied.error().with_context(install_label(plan)));
      }
      task.succeed();
      result.installed = true;
    }
    report.components.push_back(result);
    // cert-manager must issue certificates before the providers' own
    // Certificates and webhooks can work.
    if (plan.component.type == ProviderType::cert_manager) {
      ProgressTask wait(progress, fmt::format("Waiting for {}", plan.component.wait_title));
      Status ready = wait_component(client, plan.processed, options, deadline);
      const bool rest_to_install =
        std::any_of(plans.begin(), plans.end(), [](const Planned& p) { return !p.existing; });
      if (ready && rest_to_install) {
        ready = check_cert_manager(client, options, deadline);
      }
      if (!ready) {
        wait.fail(ready.error().message());
        return make_error(ready.error().with_context("waiting for cert-manager"));
      }
      wait.succeed();
    }
  }

  // The providers' controllers and webhooks, all at once.
  std::vector<std::optional<Error>> errors(plans.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (plans[i].component.type == ProviderType::cert_manager) {
      continue;
    }
    threads.emplace_back([&, i] {
      ProgressTask wait(progress, fmt::format("Waiting for {}", plans[i].component.wait_title));
      auto ready = wait_component(client, plans[i].processed, options, deadline);
      if (ready) {
        wait.succeed();
      } else {
        wait.fail(ready.error().message());
        errors[i] = ready.error();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  std::vector<std::string> failed;
  ErrorKind kind = ErrorKind::timeout;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (errors[i]) {
      kind = errors[i]->kind();
      failed.push_back(fmt::format("{}: {}", plans[i].component.display_name, errors[i]->message()));
    }
  }
  if (!failed.empty()) {
    return make_error(kind, "not all Cluster API controllers became available: {}", str::join(failed, "; "));
  }
  return report;
}

} // namespace ocne::clusterctl
