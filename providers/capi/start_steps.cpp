// The steps of CapiDriver::start (steps.cpp lists them in order; each is
// safe to repeat from any point inside it: docs/cluster-api.md).

#include "pkg/addons/flannel.hpp"
#include "pkg/addons/install.hpp"
#include "pkg/addons/kube_proxy.hpp"
#include "pkg/cluster/ephemeral.hpp"
#include "pkg/cluster/probe.hpp"
#include "pkg/clusterctl/cluster_objects.hpp"
#include "pkg/clusterctl/mover.hpp"
#include "pkg/clusterctl/workload_cluster.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/yaml.hpp"
#include "providers/capi/driver_steps.hpp"
#include "providers/capi/nodes_wait.hpp"
#include "providers/capi/start_run.hpp"

#include <nlohmann/json.hpp>

namespace ocne::providers::capi {

namespace {

// Every object the start would create, sent as a server-side dry run first:
// what the management cluster refuses (schema, CEL rules, webhooks) stops
// the start before anything of the cluster exists there.
Status
validate_resources(k8s::Client& client, std::vector<nlohmann::json> objects, const std::string& default_namespace)
{
  std::vector<std::string> problems;
  for (auto& object : objects) {
    auto ref = k8s::ObjectRef::of(object);
    auto mapping = client.mapping(ref.gvk());
    if (!mapping) {
      if (mapping.error().kind() != ErrorKind::not_found) {
        return tl::unexpected(mapping.error()); // the cluster did not answer: not a refusal
      }
      problems.push_back(fmt::format("{}: {}", ref.to_string(), mapping.error().message()));
      continue;
    }
    if (mapping->namespaced && ref.namespace_.empty()) {
      object["metadata"]["namespace"] = default_namespace;
      ref.namespace_ = default_namespace;
    }
    OCNE_TRY_ASSIGN(auto existing, client.find(ref));
    if (existing) {
      continue; // an earlier run made it; it is left as it is
    }
    k8s::ApplyOptions dry;
    dry.dry_run = true;
    dry.conflicts = k8s::ConflictPolicy::force;
    if (auto checked = client.apply(object, dry); !checked) {
      if (checked.error().kind() == ErrorKind::transient || checked.error().kind() == ErrorKind::auth) {
        return tl::unexpected(checked.error());
      }
      problems.push_back(fmt::format("{}: {}", ref.to_string(), checked.error().message()));
    }
  }
  if (!problems.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "{} refuses {} of the Cluster API resources, so none was applied: {}",
                      client.describe(),
                      problems.size() == 1 ? "one" : std::to_string(problems.size()),
                      str::join(problems, "; "));
  }
  return {};
}

// A move killed after the objects were deleted from the source but before
// the target was unpaused leaves the Cluster paused there: unpause it.
Status
unpause_cluster(k8s::Client& client, const ClusterResources& resources)
{
  OCNE_TRY_ASSIGN(auto version, clusterctl::core_version(client));
  const k8s::ObjectRef ref{ "cluster.x-k8s.io/" + version, "Cluster", resources.namespace_, resources.cluster_name };
  OCNE_TRY_ASSIGN(auto cluster, client.find(ref));
  if (cluster && (*cluster)["spec"].value("paused", false)) {
    log::info(
      "Unpausing Cluster {}/{}, left paused by an interrupted move", resources.namespace_, resources.cluster_name);
    OCNE_TRY(
      client.patch(ref,
                   k8s::PatchType::merge,
                   { { "metadata", { { "annotations", { { clusterctl::k_paused_for_move_annotation, nullptr } } } } },
                     { "spec", { { "paused", nullptr } } } }));
  }
  return {};
}

} // namespace

// The configured management cluster, else the ephemeral one.
Status
run_management(StartRun& run)
{
  run.checkpoint("management");
  const auto& o = run.options;
  OCNE_TRY_ASSIGN(
    auto mc,
    cluster::ensure_management_cluster(o.config, o.configured_kubeconfig, o.configured_key, o.env, o.start_ephemeral));
  run.report.management_kubeconfig = mc.kubeconfig.string();
  run.report.ephemeral = mc.ephemeral;
  run.report.ephemeral_created = mc.created;
  OCNE_TRY(run.ctx.tracker.set_state(journal::k_management, mc.kubeconfig.string()));
  if (mc.ephemeral && (mc.created || run.journal().ephemeral.empty())) {
    OCNE_TRY(run.ctx.tracker.set_state(journal::k_ephemeral, mc.created ? journal::k_created : journal::k_reused));
  }
  run.set_management(mc.kubeconfig);
  return run.finish(Step::management);
}

// The provider's Cluster API stack; a component this start installed half-way
// is applied again (its "installed" marker is written last).
Status
run_components(StartRun& run)
{
  run.checkpoint("components");
  OCNE_TRY_ASSIGN(auto* management, run.management());
  OCNE_TRY(detail::install_stack(*management, run.options, run.flavor, run.report, run.ctx.progress));
  return run.finish(Step::components);
}

// The boot images, found or built and uploaded; their ids recorded.
Status
run_images(StartRun& run)
{
  run.checkpoint("images");
  OCNE_TRY_ASSIGN(const auto* rendered, run.rendered());
  for (const auto& image : rendered->images) {
    OCNE_TRY(run.ctx.tracker.set_state(std::string(journal::k_image_prefix) + image.arch, image.id));
    if (image.how == "uploaded") {
      OCNE_TRY(run.ctx.tracker.add({ std::string(run.flavor.provider()), "image", image.id, image.arch }));
    }
  }
  return run.finish(Step::images);
}

// Credentials, then the resources: dry run, then created (objects that
// exist are left as they are).
Status
run_apply(StartRun& run)
{
  run.checkpoint("apply");
  OCNE_TRY_ASSIGN(auto* management, run.management());
  OCNE_TRY_ASSIGN(const auto* rendered, run.rendered());
  OCNE_TRY_ASSIGN(auto objects, k8s::parse_yaml_stream(rendered->yaml, rendered->source));
  OCNE_TRY_ASSIGN(auto resources, check_resources(objects, [&run](std::string_view leaf, std::string_view value) {
                    return run.flavor.image_id_problem(leaf, value);
                  }));
  run.report.cluster = resources.cluster_name;
  run.report.namespace_ = resources.namespace_;
  const auto j = run.journal();
  if (!j.cluster.empty() && (j.cluster != resources.cluster_name || j.namespace_ != resources.namespace_)) {
    return make_error(ErrorKind::conflict,
                      "the resources now describe Cluster {}/{}, but an earlier start of this cluster applied "
                      "Cluster {}/{}; delete it first ('ocne cluster delete -C {}')",
                      resources.namespace_,
                      resources.cluster_name,
                      j.namespace_,
                      j.cluster,
                      run.ctx.cluster_name);
  }
  const nlohmann::json ns = { { "apiVersion", "v1" },
                              { "kind", "Namespace" },
                              { "metadata", { { "name", resources.namespace_ } } } };
  auto created = management->create_if_absent(ns);
  if (!created) {
    return make_error(created.error().with_context(fmt::format("creating namespace {}", resources.namespace_)));
  }
  if (auto valid = validate_resources(*management, objects, resources.namespace_); !valid) {
    if (created->second && j.cluster.empty()) {
      // The namespace was made for these objects alone.
      (void)management->remove({ "v1", "Namespace", "", resources.namespace_ });
    }
    return tl::unexpected(valid.error());
  }
  auto& tracker = run.ctx.tracker;
  const std::string provider(run.flavor.provider());
  OCNE_TRY(tracker.set_state(journal::k_namespace, resources.namespace_));
  OCNE_TRY(tracker.set_state(journal::k_cluster, resources.cluster_name));
  // Recorded before it exists, so a crash in between errs towards deleting.
  OCNE_TRY(
    tracker.add({ provider, "cluster", resources.namespace_ + "/" + resources.cluster_name, resources.cluster_name }));
  OCNE_TRY_ASSIGN(auto secrets, run.flavor.prepare(*management, resources));
  for (const auto& s : secrets) {
    OCNE_TRY(tracker.add({ provider, "secret", s, s }));
  }
  run.report.secrets = secrets;
  log::info("Applying Cluster API resources");
  k8s::ManifestOptions manifest;
  manifest.create_only = true;
  manifest.default_namespace = resources.namespace_;
  std::vector<std::string> origins(objects.size(), rendered->source);
  // One line says it; a count of objects makes a poor progress bar.
  auto applied = k8s::apply_objects(*management, objects, origins, manifest, null_progress());
  if (!applied) {
    return make_error(applied.error().with_context(
      fmt::format("applying the Cluster API resources of {} to {}", rendered->source, management->describe())));
  }
  for (const auto& a : *applied) {
    (a.action == "exists" ? run.report.objects_existing : run.report.objects_created).push_back(a.ref.to_string());
  }
  return run.finish(Step::apply);
}

// The workload cluster's kubeconfig, its API and its first node.
Status
run_workload(StartRun& run)
{
  run.checkpoint("workload");
  OCNE_TRY_ASSIGN(auto* management, run.management());
  OCNE_TRY_ASSIGN(auto resources, run.resources());
  const auto& o = run.options;
  clusterctl::WorkloadWait wait;
  wait.namespace_ = resources.namespace_;
  wait.cluster = resources.cluster_name;
  wait.kubeconfig_path = o.kubeconfig_path;
  wait.timeout = o.workload_timeout;
  wait.interval = o.interval;
  wait.clock = o.clock;
  wait.report = [](const std::string& line) { log::warn("{}", line); };
  OCNE_TRY(run.ctx.tracker.add({ "local", "file", o.kubeconfig_path.string(), o.kubeconfig_path.string() }));
  OCNE_TRY(clusterctl::wait_workload_kubeconfig(*management, wait, run.ctx.progress));
  auto probe = cluster::make_kube_probe(o.interval, o.clock);
  OCNE_TRY(probe->wait_ready(o.kubeconfig_path, 1, o.nodes_timeout, run.ctx.progress));
  return run.finish(Step::workload);
}

// What the nodes need to become Ready: kube-proxy's mode, the CNI and the
// cloud controller manager (a second run writes nothing).
Status
run_addons(StartRun& run)
{
  run.checkpoint("addons");
  OCNE_TRY_ASSIGN(auto* management, run.management());
  OCNE_TRY_ASSIGN(auto resources, run.resources());
  log::info("Installing applications into workload cluster");
  OCNE_TRY_ASSIGN(auto* workload, run.workload());
  const auto& o = run.options;
  const auto& c = o.config;
  if (!c.kube_proxy_mode.get().empty()) {
    const k8s::WaitOptions wait{ .timeout = o.addons_timeout,
                                 .interval = std::min(o.interval, std::chrono::milliseconds(1000)),
                                 .clock = o.clock };
    OCNE_TRY(addons::set_kube_proxy_mode(*workload, c.kube_proxy_mode.get(), wait, run.ctx.progress));
  }
  std::vector<addons::Addon> wanted;
  const bool flannel = c.cni.get().empty() || c.cni.get() == "flannel";
  if (flannel) {
    OCNE_TRY_ASSIGN(
      auto f,
      addons::render_flannel({ .pod_cidrs = str::split_trimmed(c.pod_subnet.get(), ','), .interfaces = {} }, o.env));
    wanted.push_back(std::move(f));
  } else {
    log::warn("cni {} is not one ocne installs: no CNI installed; the nodes are NotReady until you install it",
              c.cni.get());
  }
  OCNE_TRY_ASSIGN(auto ccm, run.flavor.cloud_controller_manager(*management, resources));
  wanted.push_back(std::move(ccm));
  addons::InstallOptions install;
  install.timeout = o.addons_timeout;
  install.interval = std::min(o.interval, std::chrono::milliseconds(1000));
  install.clock = o.clock;
  // The nodes step waits for every node; here only the add-ons roll out.
  install.wait_for_nodes = false;
  OCNE_TRY(addons::install_addons(*workload, wanted, install, run.ctx.progress));
  return run.finish(Step::addons);
}

// Every node the cluster asks for, Ready. Without a CNI ocne installs the
// nodes stay NotReady: the user installs one, so this is not waited for.
Status
run_nodes(StartRun& run)
{
  run.checkpoint("nodes");
  const auto& o = run.options;
  const auto& cni = o.config.cni.get();
  if (!cni.empty() && cni != "flannel") {
    log::info("Not waiting for the nodes to be Ready: they need the CNI {} you install", cni);
    return run.finish(Step::nodes);
  }
  OCNE_TRY_ASSIGN(auto* management, run.management());
  OCNE_TRY_ASSIGN(auto resources, run.resources());
  OCNE_TRY_ASSIGN(auto* workload, run.workload());
  NodesWait wait;
  wait.namespace_ = resources.namespace_;
  wait.cluster = resources.cluster_name;
  wait.timeout = o.nodes_timeout;
  wait.interval = o.interval;
  wait.clock = o.clock;
  wait.report = [](const std::string& line) { log::warn("{}", line); };
  OCNE_TRY(wait_cluster_nodes(*management, *workload, wait, run.ctx.progress));
  return run.finish(Step::nodes);
}

// Self-managed: the stack in the cluster itself, the objects moved there,
// then the ephemeral cluster this start made removed.
Status
run_pivot(StartRun& run)
{
  run.checkpoint("pivot");
  auto& tracker = run.ctx.tracker;
  const auto j = run.journal();
  if (!j.pivoted) {
    OCNE_TRY_ASSIGN(auto* management, run.management());
    OCNE_TRY_ASSIGN(auto resources, run.resources());
    OCNE_TRY_ASSIGN(auto* workload, run.workload());
    log::info("Installing Cluster API into the self-managed cluster");
    OCNE_TRY(detail::install_stack(*workload, run.options, run.flavor, run.report, run.ctx.progress));
    log::info("Migrating Cluster API resources into self-managed cluster");
    OCNE_TRY(detail::move_objects(*management, *workload, resources.namespace_, run.options, run.ctx.progress));
    OCNE_TRY(unpause_cluster(*workload, resources));
    run.checkpoint("pivot moved");
    OCNE_TRY(tracker.set_state(journal::k_pivoted, "true"));
  }
  run.report.pivoted = true;
  // The ephemeral cluster this start made has done its job; also when an
  // earlier run moved the objects but stopped before removing it.
  if (j.ephemeral == journal::k_created) {
    run.checkpoint("release");
    OCNE_TRY_ASSIGN(run.report.ephemeral_removed, detail::release_ephemeral(run.options, j.management));
    OCNE_TRY(tracker.set_state(journal::k_ephemeral, ""));
  }
  OCNE_TRY(tracker.set_state(journal::k_management, run.options.kubeconfig_path.string()));
  return run.finish(Step::pivot);
}

} // namespace ocne::providers::capi
