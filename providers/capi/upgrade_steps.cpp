// The steps of an upgrade hop (upgrade.hpp lists what each one does; each
// is a GET first and writes nothing that is already as it should be).

#include "pkg/clusterctl/cluster_objects.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/wait.hpp"
#include "pkg/k8s/yaml.hpp"
#include "providers/capi/render.hpp"
#include "providers/capi/upgrade_plan.hpp"
#include "providers/capi/upgrade_run.hpp"

#include <fmt/format.h>

namespace ocne::providers::capi {

namespace {

using json = nlohmann::json;

Result<std::vector<json>>
rendered_objects(UpgradeRun& run)
{
  OCNE_TRY_ASSIGN(const auto* r, run.rendered());
  return k8s::parse_yaml_stream(r->yaml, r->source);
}

std::string
what(const json& object)
{
  return fmt::format("{} {}/{}",
                     object.value("kind", ""),
                     k8s::string_at(object, "/metadata/namespace"),
                     k8s::string_at(object, "/metadata/name"));
}

// A JSON patch whose test op failed: someone changed the object meanwhile.
Status
send_patch(k8s::Client& client, const json& object, const json& ops)
{
  auto patched = client.patch(k8s::ObjectRef::of(object), k8s::PatchType::json, ops);
  if (!patched) {
    return make_error(patched.error().with_context(fmt::format("patching {}", what(object))));
  }
  return {};
}

} // namespace

UpgradeJournal
UpgradeRun::journal() const
{
  return read_upgrade_journal(tracker.snapshot());
}

void
UpgradeRun::checkpoint(std::string_view point) const
{
  if (options.capi.checkpoint) {
    options.capi.checkpoint(std::string("upgrade ") + std::string(point));
  }
}

Status
UpgradeRun::finish(UpgradeStep step)
{
  checkpoint(std::string(to_string(step)) + " finished");
  return tracker.set_state(std::string(upgrade_journal::k_step_prefix) + std::string(to_string(step)), "done");
}

Result<const RenderedResources*>
UpgradeRun::rendered()
{
  if (!rendered_resources) {
    if (!flavor) {
      OCNE_TRY_ASSIGN(flavor, options.flavor_for(hop));
    }
    OCNE_TRY_ASSIGN(auto r, render_resources(*flavor, journal().images, progress));
    if (r.images.empty()) {
      return make_error(ErrorKind::invalid_input,
                        "cluster {} was started from a clusterDefinition file; cluster upgrade needs ocne's own "
                        "template to know its boot images",
                        options.cluster_name);
    }
    rendered_resources = std::move(r);
  }
  return &*rendered_resources;
}

// The hop's boot images, found in the cloud or built and uploaded.
Status
run_upgrade_images(UpgradeRun& run)
{
  run.checkpoint("images");
  log::info("Finding the Kubernetes {} boot images", run.hop);
  OCNE_TRY_ASSIGN(const auto* rendered, run.rendered());
  for (const auto& image : rendered->images) {
    OCNE_TRY(run.tracker.set_state(std::string(upgrade_journal::k_image_prefix) + image.arch, image.id));
    if (image.how == "uploaded") {
      OCNE_TRY(run.tracker.add({ std::string(run.options.capi.config.provider.get()), "image", image.id, image.arch }));
    }
    log::info("Boot image for Kubernetes {} ({}): {} ({})", run.hop, image.arch, image.id, image.how);
    run.report.images.push_back(image);
  }
  return run.finish(UpgradeStep::images);
}

// The template copies (created, or found equal).
Status
run_upgrade_templates(UpgradeRun& run)
{
  run.checkpoint("templates");
  OCNE_TRY_ASSIGN(auto pools, read_pools(run.management, run.namespace_, run.cluster));
  OCNE_TRY_ASSIGN(auto objects, rendered_objects(run));
  OCNE_TRY_ASSIGN(
    auto copies,
    template_copies(run.management, pools, run.namespace_, run.hop, run.journal().images, run.start_images, objects));
  for (const auto& copy : copies) {
    OCNE_TRY_ASSIGN(const bool created, ensure_copy(run.management, copy));
    OCNE_TRY(run.tracker.set_state(std::string(upgrade_journal::k_template_prefix) + copy.old_name,
                                   k8s::string_at(copy.object, "/metadata/name")));
    (created ? run.report.templates_created : run.report.templates_existing).push_back(copy.what);
    if (created) {
      log::info("Created {} (a copy of {} for Kubernetes {})", copy.what, copy.old_name, run.hop);
      run.checkpoint("template created");
    }
  }
  return run.finish(UpgradeStep::templates);
}

// One patch of the KubeadmControlPlane, then its rollout.
Status
run_upgrade_control_plane(UpgradeRun& run)
{
  run.checkpoint("control-plane");
  OCNE_TRY_ASSIGN(auto pools, read_pools(run.management, run.namespace_, run.cluster));
  const auto& kcp = pools.control_plane;
  const auto current = minor_of(k8s::string_at(kcp, "/spec/version"));
  if (current != run.from && current != run.hop) {
    return make_error(ErrorKind::conflict,
                      "{} runs {}, but this hop goes from {} to {}: it was changed meanwhile",
                      what(kcp),
                      k8s::string_at(kcp, "/spec/version"),
                      run.from,
                      run.hop);
  }
  OCNE_TRY_ASSIGN(auto objects, rendered_objects(run));
  const auto ops = control_plane_patch(kcp, "v" + run.version.full, run.hop, objects);
  if (!ops.empty()) {
    log::info("Upgrading the control plane to Kubernetes v{}", run.version.full);
    OCNE_TRY(send_patch(run.management, kcp, ops));
    run.checkpoint("control-plane patched");
  }
  PoolWait wait;
  wait.label = "control plane";
  wait.owner = k8s::ObjectRef::of(kcp);
  wait.machine_selector = "cluster.x-k8s.io/control-plane-name=" + k8s::string_at(kcp, "/metadata/name");
  wait.template_name = copy_name(k8s::string_at(kcp, infra_ref_pointer(kcp) + "/name"), run.hop);
  OCNE_TRY_ASSIGN(const int replaced, wait_pool(run, wait));
  run.report.machines_replaced += replaced;
  return run.finish(UpgradeStep::control_plane);
}

// kube-proxy's image follows Kubernetes (kubeadm installed it, and the
// control plane's skip-kube-proxy annotation keeps Cluster API off it).
Status
run_upgrade_addons(UpgradeRun& run)
{
  run.checkpoint("addons");
  const k8s::ObjectRef ref{ "apps/v1", "DaemonSet", "kube-system", "kube-proxy" };
  OCNE_TRY_ASSIGN(auto ds, run.workload.find(ref));
  if (!ds) {
    log::info("kube-proxy is not in the cluster; no add-on to upgrade");
    return run.finish(UpgradeStep::addons);
  }
  const auto containers = (*ds)["spec"]["template"]["spec"].value("containers", json::array());
  std::size_t index = 0;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    if (containers[i].value("name", "") == "kube-proxy") {
      index = i;
    }
  }
  const std::string image = containers.empty() ? "" : containers[index].value("image", "");
  const auto colon = image.rfind(':');
  const bool tagged =
    colon != std::string::npos && image.find('/', colon) == std::string::npos && image.find('@') == std::string::npos;
  const std::string wanted = (tagged ? image.substr(0, colon) : image) + ":v" + run.version.full;
  if (!image.empty() && image != wanted && image.find('@') == std::string::npos) {
    const std::string at = fmt::format("/spec/template/spec/containers/{}/image", index);
    log::info("Upgrading kube-proxy to {}", wanted);
    OCNE_TRY(send_patch(run.workload,
                        *ds,
                        json::array({ { { "op", "test" }, { "path", at }, { "value", image } },
                                      { { "op", "replace" }, { "path", at }, { "value", wanted } } })));
  }
  PollMessages messages;
  messages.timed_out = [&](std::string_view) {
    return Error(
      ErrorKind::timeout,
      fmt::format("kube-proxy did not roll out within {}", k8s::format_duration(run.options.capi.addons_timeout)));
  };
  messages.interrupted = [] {
    return Error(ErrorKind::cancelled, "interrupted while waiting for kube-proxy to roll out");
  };
  OCNE_TRY(poll({ .timeout = run.options.capi.addons_timeout,
                  .interval = run.options.capi.interval,
                  .clock = run.options.capi.clock },
                messages,
                [&]() -> Status {
                  auto live = run.workload.get(ref);
                  if (!live) {
                    if (live.error().kind() != ErrorKind::transient) {
                      return tl::unexpected(live.error());
                    }
                    return not_ready_yet(live.error().message());
                  }
                  const auto st = (*live).value("status", json::object());
                  const auto desired = st.value("desiredNumberScheduled", 0LL);
                  if (st.value("observedGeneration", 0LL) >= (*live)["metadata"].value("generation", 0LL) &&
                      st.value("updatedNumberScheduled", 0LL) >= desired &&
                      st.value("numberAvailable", 0LL) >= desired) {
                    return {};
                  }
                  return not_ready_yet("rolling out");
                }));
  return run.finish(UpgradeStep::addons);
}

// Each MachineDeployment, one at a time.
Status
run_upgrade_workers(UpgradeRun& run)
{
  run.checkpoint("workers");
  OCNE_TRY_ASSIGN(auto pools, read_pools(run.management, run.namespace_, run.cluster));
  for (const auto& md : pools.deployments) {
    const auto current = minor_of(k8s::string_at(md, "/spec/template/spec/version"));
    if (minor_number(current) > minor_number(run.hop)) {
      return make_error(ErrorKind::conflict,
                        "{} runs {}, newer than this hop ({})",
                        what(md),
                        k8s::string_at(md, "/spec/template/spec/version"),
                        run.hop);
    }
    const auto name = k8s::string_at(md, "/metadata/name");
    const auto ops = deployment_patch(md, "v" + run.version.full, run.hop);
    if (!ops.empty()) {
      log::info("Upgrading the workers of {} to Kubernetes v{}", name, run.version.full);
      OCNE_TRY(send_patch(run.management, md, ops));
      run.checkpoint("workers patched");
    }
    PoolWait wait;
    wait.label = "workers " + name;
    wait.owner = k8s::ObjectRef::of(md);
    wait.machine_selector = "cluster.x-k8s.io/deployment-name=" + name;
    wait.template_name = copy_name(k8s::string_at(md, infra_ref_pointer(md) + "/name"), run.hop);
    OCNE_TRY_ASSIGN(const int replaced, wait_pool(run, wait));
    run.report.machines_replaced += replaced;
  }
  return run.finish(UpgradeStep::workers);
}

// Every Machine and Node at the hop's version.
Status
run_upgrade_verify(UpgradeRun& run)
{
  run.checkpoint("verify");
  OCNE_TRY_ASSIGN(auto pools, read_pools(run.management, run.namespace_, run.cluster));
  std::vector<std::string> problems;
  OCNE_TRY_ASSIGN(auto machines, clusterctl::cluster_machines(run.management, pools.core, run.namespace_, run.cluster));
  for (const auto& m : machines) {
    if (minor_of(k8s::string_at(m, "/spec/version")) != run.hop) {
      problems.push_back(fmt::format("Machine {}/{} runs {}",
                                     run.namespace_,
                                     k8s::string_at(m, "/metadata/name"),
                                     k8s::string_at(m, "/spec/version")));
    }
  }
  OCNE_TRY_ASSIGN(auto nodes, run.workload.list({ "", "v1", "Node" }));
  for (const auto& n : nodes.items) {
    const auto kubelet = k8s::string_at(n, "/status/nodeInfo/kubeletVersion");
    if (minor_of(kubelet) != run.hop) {
      problems.push_back(fmt::format("node {} runs kubelet {}", k8s::string_at(n, "/metadata/name"), kubelet));
    }
  }
  if (!problems.empty()) {
    return make_error(ErrorKind::internal, "after the upgrade to {}: {}", run.hop, str::join(problems, "; "));
  }
  log::info("Every machine and node of cluster {} runs Kubernetes {}", run.options.cluster_name, run.hop);
  return run.finish(UpgradeStep::verify);
}

} // namespace ocne::providers::capi
