// CapiDriver::start: the seven steps of driver.hpp, each skipped when the
// cluster cache says an earlier run finished it.

#include "providers/capi/driver.hpp"

#include "pkg/addons/flannel.hpp"
#include "pkg/addons/install.hpp"
#include "pkg/addons/kube_proxy.hpp"
#include "pkg/cluster/probe.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/yaml.hpp"
#include "providers/capi/driver_steps.hpp"
#include "providers/capi/journal.hpp"
#include "providers/capi/workload.hpp"

#include <nlohmann/json.hpp>

namespace ocne::providers::capi {

using detail::client_for;

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
    return make_error(ErrorKind::invalid_input, "{} refuses {} of the Cluster API resources, so none was applied: {}",
                      client.describe(), problems.size() == 1 ? "one" : std::to_string(problems.size()),
                      str::join(problems, "; "));
  }
  return {};
}

} // namespace

CapiDriver::CapiDriver(CapiOptions options, std::unique_ptr<Flavor> flavor)
  : m_options(std::move(options)), m_flavor(std::move(flavor))
{
  m_report.self_managed = m_options.self_managed;
}

CapiDriver::~CapiDriver() = default;

std::string_view
CapiDriver::provider() const
{
  return m_flavor->provider();
}

cluster::KubeconfigPaths
CapiDriver::kubeconfigs() const
{
  return {m_options.kubeconfig_path, {}};
}

Result<cluster::PostStartResult>
CapiDriver::post_start(cluster::StartContext&)
{
  return cluster::PostStartResult{};
}

// One run of start: the options, the record and the report together.
struct CapiDriver::Run
{
  CapiDriver& d;
  cluster::StartContext& ctx;

  const CapiOptions& o() const { return d.m_options; }
  ClusterRecord record() const { return ctx.tracker.snapshot(); }
  bool done(std::string_view step) const { return journal::done(record(), step); }

  void
  checkpoint(std::string_view point) const
  {
    if (o().checkpoint) {
      o().checkpoint(point);
    }
  }

  // The step's work is done; "<step> finished" is the last point before the
  // record says so (a crash there repeats the step's idempotent work).
  Status
  finish(std::string_view step)
  {
    checkpoint(std::string(step) + " finished");
    return ctx.tracker.set_state(journal::step_key(step), "done");
  }

  // Step 1: the configured management cluster, else the ephemeral one.
  Result<fs::Path>
  management()
  {
    checkpoint("management");
    const auto rec = record();
    if (journal::get(rec, journal::k_pivoted) == "true") {
      // The objects live in the cluster itself now.
      d.m_report.pivoted = true;
      return o().kubeconfig_path;
    }
    const auto recorded = journal::get(rec, journal::k_management);
    const bool ephemeral = !journal::get(rec, journal::k_ephemeral).empty();
    if (done("management") && !recorded.empty() && !ephemeral) {
      // An earlier run applied (or may have applied) the cluster's objects
      // there: a resumed start keeps to it, whatever is configured now.
      OCNE_TRY_ASSIGN(auto configured, cluster::management_kubeconfig(o().configured_kubeconfig, o().configured_key,
                                                                      o().env));
      if (configured && fs::Path(recorded) != *configured) {
        return make_error(ErrorKind::conflict,
                          "cluster {} is managed from {}, but {} now names {}; continue with the same management "
                          "cluster, or delete the cluster first",
                          ctx.cluster_name, recorded, o().configured_key.empty() ? "KUBECONFIG" : o().configured_key,
                          configured->string());
      }
      if (!std::filesystem::exists(recorded)) {
        return make_error(ErrorKind::not_found, "cluster {} is managed from {}, which no longer exists",
                          ctx.cluster_name, recorded);
      }
      d.m_report.management_kubeconfig = recorded;
      return fs::Path(recorded);
    }
    OCNE_TRY_ASSIGN(auto mc, cluster::ensure_management_cluster(o().config, o().configured_kubeconfig,
                                                               o().configured_key, o().env, o().start_ephemeral));
    if (done("management") && !recorded.empty() && fs::Path(recorded) != mc.kubeconfig) {
      return make_error(ErrorKind::conflict,
                        "cluster {} is managed from the ephemeral cluster ({}), but {} now names {}; continue "
                        "without it, or delete the cluster first",
                        ctx.cluster_name, recorded, o().configured_key.empty() ? "KUBECONFIG" : o().configured_key,
                        mc.kubeconfig.string());
    }
    d.m_report.management_kubeconfig = mc.kubeconfig.string();
    d.m_report.ephemeral = mc.ephemeral;
    d.m_report.ephemeral_created = mc.created;
    OCNE_TRY(ctx.tracker.set_state(journal::k_management, mc.kubeconfig.string()));
    if (mc.ephemeral && (mc.created || journal::get(rec, journal::k_ephemeral).empty())) {
      OCNE_TRY(ctx.tracker.set_state(journal::k_ephemeral, mc.created ? "created" : "reused"));
    }
    OCNE_TRY(finish("management"));
    return mc.kubeconfig;
  }

  KnownImages
  known_images() const
  {
    KnownImages known;
    for (const auto& [key, value] : record().state) {
      if (str::starts_with(key, journal::k_image_prefix)) {
        known[key.substr(journal::k_image_prefix.size())] = value;
      }
    }
    return known;
  }

  // Steps 3 and 4: images, resources, credentials, apply.
  Result<ClusterResources>
  apply(k8s::Client& management)
  {
    checkpoint("images");
    OCNE_TRY_ASSIGN(auto rendered, d.m_flavor->render(known_images(), ctx.progress));
    for (const auto& image : rendered.images) {
      OCNE_TRY(ctx.tracker.set_state(std::string(journal::k_image_prefix) + image.arch, image.id));
      if (image.how == "uploaded") {
        OCNE_TRY(ctx.tracker.add({std::string(d.provider()), "image", image.id, image.arch}));
      }
    }
    d.m_report.images = rendered.images;
    if (!done("images")) {
      OCNE_TRY(finish("images"));
    }

    checkpoint("apply");
    OCNE_TRY_ASSIGN(auto objects, k8s::parse_yaml_stream(rendered.yaml, rendered.source));
    OCNE_TRY_ASSIGN(auto resources, check_resources(objects, std::string(d.provider())));
    d.m_report.cluster = resources.cluster_name;
    d.m_report.namespace_ = resources.namespace_;
    const auto previous_ns = journal::get(record(), journal::k_namespace);
    const auto previous_name = journal::get(record(), journal::k_cluster);
    if (!previous_name.empty() && (previous_name != resources.cluster_name || previous_ns != resources.namespace_)) {
      return make_error(ErrorKind::conflict,
                        "the resources now describe Cluster {}/{}, but an earlier start of this cluster applied "
                        "Cluster {}/{}; delete it first ('ocne cluster delete -C {}')",
                        resources.namespace_, resources.cluster_name, previous_ns, previous_name, ctx.cluster_name);
    }
    if (done("apply")) {
      return resources;
    }
    const nlohmann::json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"},
                               {"metadata", {{"name", resources.namespace_}}}};
    auto created = management.create_if_absent(ns);
    if (!created) {
      return make_error(created.error().with_context(fmt::format("creating namespace {}", resources.namespace_)));
    }
    if (auto valid = validate_resources(management, objects, resources.namespace_); !valid) {
      if (created->second) {
        // The namespace was made for these objects alone.
        (void)management.remove({"v1", "Namespace", "", resources.namespace_});
      }
      return tl::unexpected(valid.error());
    }
    OCNE_TRY(ctx.tracker.set_state(journal::k_namespace, resources.namespace_));
    OCNE_TRY(ctx.tracker.set_state(journal::k_cluster, resources.cluster_name));
    // Recorded before it exists, so a crash in between errs towards deleting.
    OCNE_TRY(ctx.tracker.add({std::string(d.provider()), "cluster", resources.namespace_ + "/" + resources.cluster_name,
                              resources.cluster_name}));
    OCNE_TRY_ASSIGN(auto secrets, d.m_flavor->prepare(management, resources));
    for (const auto& s : secrets) {
      OCNE_TRY(ctx.tracker.add({std::string(d.provider()), "secret", s, s}));
    }
    d.m_report.secrets = secrets;
    log::info("Applying Cluster API resources");
    k8s::ManifestOptions manifest;
    manifest.create_only = true;
    manifest.default_namespace = resources.namespace_;
    std::vector<std::string> origins(objects.size(), rendered.source);
    // One line says it; a count of objects makes a poor progress bar.
    auto applied = k8s::apply_objects(management, objects, origins, manifest, null_progress());
    if (!applied) {
      return make_error(applied.error().with_context(fmt::format("applying the Cluster API resources of {} to {}",
                                                                 rendered.source, management.describe())));
    }
    for (const auto& a : *applied) {
      (a.action == "exists" ? d.m_report.objects_existing : d.m_report.objects_created).push_back(a.ref.to_string());
    }
    OCNE_TRY(finish("apply"));
    return resources;
  }

  // Step 5: the workload cluster's kubeconfig, API and nodes.
  Status
  workload(k8s::Client& management, const ClusterResources& resources)
  {
    checkpoint("workload");
    if (done("workload") && std::filesystem::exists(o().kubeconfig_path)) {
      return {};
    }
    WorkloadWait wait;
    wait.namespace_ = resources.namespace_;
    wait.cluster = resources.cluster_name;
    wait.kubeconfig_path = o().kubeconfig_path;
    wait.timeout = o().workload_timeout;
    wait.interval = o().interval;
    wait.report = [](const std::string& line) { log::warn("{}", line); };
    OCNE_TRY(ctx.tracker.add({"local", "file", o().kubeconfig_path.string(), o().kubeconfig_path.string()}));
    OCNE_TRY(wait_workload_kubeconfig(management, wait, ctx.progress));
    auto probe = cluster::make_kube_probe(o().interval);
    OCNE_TRY(probe->wait_ready(o().kubeconfig_path, 1, o().nodes_timeout, ctx.progress));
    return finish("workload");
  }

  // Step 6: what the nodes need to become Ready.
  Status
  addons(k8s::Client& management, const ClusterResources& resources)
  {
    checkpoint("addons");
    if (done("addons")) {
      return {};
    }
    log::info("Installing applications into workload cluster");
    OCNE_TRY_ASSIGN(auto workload, client_for(o().kubeconfig_path));
    const auto& c = o().config;
    if (!c.kube_proxy_mode.get().empty()) {
      OCNE_TRY(addons::set_kube_proxy_mode(*workload, c.kube_proxy_mode.get(), ctx.progress));
    }
    std::vector<addons::Addon> wanted;
    const bool flannel = c.cni.get().empty() || c.cni.get() == "flannel";
    if (flannel) {
      OCNE_TRY_ASSIGN(auto f, addons::render_flannel({.pod_cidrs = str::split_trimmed(c.pod_subnet.get(), ','),
                                                      .interfaces = {}},
                                                     o().env));
      wanted.push_back(std::move(f));
    } else {
      log::warn("cni {} is not one ocne installs: no CNI installed; the nodes are NotReady until you install it",
                c.cni.get());
    }
    OCNE_TRY_ASSIGN(auto ccm, d.m_flavor->cloud_controller_manager(management, resources));
    wanted.push_back(std::move(ccm));
    addons::InstallOptions install;
    install.timeout = o().addons_timeout;
    install.interval = std::min(o().interval, std::chrono::milliseconds(1000));
    install.wait_for_nodes = flannel;
    OCNE_TRY(addons::install_addons(*workload, wanted, install, ctx.progress));
    return finish("addons");
  }

  // Step 7: the cluster manages itself.
  Status
  pivot(k8s::Client& management, const ClusterResources& resources)
  {
    checkpoint("pivot");
    if (!o().self_managed) {
      return {};
    }
    if (!done("pivot")) {
      OCNE_TRY_ASSIGN(auto workload, client_for(o().kubeconfig_path));
      log::info("Installing Cluster API into the self-managed cluster");
      OCNE_TRY(detail::install_stack(*workload, o(), *d.m_flavor, d.m_report, ctx.progress));
      log::info("Migrating Cluster API resources into self-managed cluster");
      OCNE_TRY(detail::move_objects(management, *workload, resources.namespace_, o(), ctx.progress));
      checkpoint("pivot finished");
      OCNE_TRY(ctx.tracker.set_state(journal::k_pivoted, "true"));
      OCNE_TRY(ctx.tracker.set_state(journal::step_key("pivot"), "done"));
    }
    d.m_report.pivoted = true;
    // The ephemeral cluster this start made has done its job; also when an
    // earlier run moved the objects but stopped before removing it.
    const auto rec = record();
    if (journal::get(rec, journal::k_ephemeral) == "created") {
      checkpoint("release");
      OCNE_TRY_ASSIGN(d.m_report.ephemeral_removed,
                      detail::release_ephemeral(o(), journal::get(rec, journal::k_management)));
      OCNE_TRY(ctx.tracker.set_state(journal::k_ephemeral, ""));
    }
    OCNE_TRY(ctx.tracker.set_state(journal::k_management, o().kubeconfig_path.string()));
    return {};
  }
};

Result<cluster::StartResult>
CapiDriver::start(cluster::StartContext& ctx)
{
  Run run{*this, ctx};
  cluster::StartResult result;
  result.kubeconfigs = kubeconfigs();
  result.notes = {"To access the cluster:", "    use " + m_options.kubeconfig_path.string()};
  const auto record = ctx.tracker.snapshot();
  const bool was_running = journal::get(record, "phase") == "running";
  for (const auto step : k_steps) {
    if (journal::done(record, step)) {
      m_report.resumed_after.emplace_back(step);
    }
  }
  m_report.cluster = journal::get(record, journal::k_cluster);
  m_report.namespace_ = journal::get(record, journal::k_namespace);
  m_report.pivoted = journal::get(record, journal::k_pivoted) == "true";
  if (was_running) {
    auto probe = cluster::make_kube_probe(m_options.interval);
    if (auto nodes = probe->count_nodes(m_options.kubeconfig_path); nodes && *nodes > 0) {
      log::info("Cluster {} is already running ({} nodes)", ctx.cluster_name, *nodes);
      m_report.management_kubeconfig = journal::get(record, journal::k_management);
      result.outcome = cluster::StartOutcome::already_running;
      return result;
    } else {
      log::info("Cluster {} is recorded as running but does not answer ({}); checking every step again",
                ctx.cluster_name, nodes ? "no nodes" : nodes.error().message());
      for (const auto step : k_steps) {
        if (step != "management" && step != "pivot") {
          OCNE_TRY(ctx.tracker.set_state(journal::step_key(step), ""));
        }
      }
      m_report.resumed_after.clear();
    }
  } else if (!m_report.resumed_after.empty()) {
    log::info("Continuing the start of cluster {}; finished before: {}", ctx.cluster_name,
              str::join(m_report.resumed_after, ", "));
  }

  OCNE_TRY_ASSIGN(auto management_path, run.management());
  OCNE_TRY_ASSIGN(auto management, client_for(management_path));
  if (!run.done("components")) {
    run.checkpoint("components");
    OCNE_TRY(detail::install_stack(*management, m_options, *m_flavor, m_report, ctx.progress));
    OCNE_TRY(run.finish("components"));
  }
  OCNE_TRY_ASSIGN(auto resources, run.apply(*management));
  OCNE_TRY(run.workload(*management, resources));
  OCNE_TRY(run.addons(*management, resources));
  OCNE_TRY(run.pivot(*management, resources));
  if (m_report.management_kubeconfig.empty()) {
    m_report.management_kubeconfig = journal::get(ctx.tracker.snapshot(), journal::k_management);
  }
  log::info("Kubernetes cluster was created successfully");
  return result;
}

} // namespace ocne::providers::capi
