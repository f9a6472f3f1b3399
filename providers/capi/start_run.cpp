#include "providers/capi/start_run.hpp"

#include "pkg/cluster/ephemeral.hpp"
#include "pkg/k8s/yaml.hpp"
#include "providers/capi/driver_steps.hpp"
#include "providers/capi/render.hpp"
#include "providers/capi/resources.hpp"

#include <filesystem>

namespace ocne::providers::capi {

using detail::client_for;

Journal
StartRun::journal() const
{
  return read_journal(ctx.tracker.snapshot());
}

void
StartRun::checkpoint(std::string_view point) const
{
  if (options.checkpoint) {
    options.checkpoint(point);
  }
}

Status
StartRun::finish(Step step)
{
  checkpoint(std::string(to_string(step)) + " finished");
  return record_done(ctx.tracker, step);
}

void
StartRun::set_management(fs::Path kubeconfig)
{
  m_management_path = std::move(kubeconfig);
  m_management.reset();
}

Result<k8s::Client*>
StartRun::management()
{
  if (m_management) {
    return m_management.get();
  }
  if (!m_management_path) {
    // An earlier run settled it.
    const auto j = journal();
    if (j.pivoted) {
      report.pivoted = true;
      m_management_path = options.kubeconfig_path; // the objects live in the cluster itself
    } else if (!j.ephemeral.empty()) {
      // The ephemeral cluster may have stopped since: started again (reused).
      OCNE_TRY_ASSIGN(
        auto mc,
        cluster::ensure_management_cluster(
          options.config, options.configured_kubeconfig, options.configured_key, options.env, options.start_ephemeral));
      if (!j.management.empty() && fs::Path(j.management) != mc.kubeconfig) {
        return make_error(ErrorKind::conflict,
                          "cluster {} is managed from the ephemeral cluster ({}), but {} now names {}; continue "
                          "without it, or delete the cluster first",
                          ctx.cluster_name,
                          j.management,
                          options.configured_key.empty() ? "KUBECONFIG" : options.configured_key,
                          mc.kubeconfig.string());
      }
      report.ephemeral = true;
      m_management_path = mc.kubeconfig;
    } else {
      // An earlier run applied (or may have applied) the cluster's objects
      // there: a resumed start keeps to it, whatever is configured now.
      OCNE_TRY_ASSIGN(
        auto configured,
        cluster::management_kubeconfig(options.configured_kubeconfig, options.configured_key, options.env));
      if (configured && fs::Path(j.management) != *configured) {
        return make_error(ErrorKind::conflict,
                          "cluster {} is managed from {}, but {} now names {}; continue with the same management "
                          "cluster, or delete the cluster first",
                          ctx.cluster_name,
                          j.management,
                          options.configured_key.empty() ? "KUBECONFIG" : options.configured_key,
                          configured->string());
      }
      std::error_code ec;
      if (j.management.empty() || !std::filesystem::exists(j.management, ec)) {
        return make_error(ErrorKind::not_found,
                          "cluster {} is managed from {}, which no longer exists",
                          ctx.cluster_name,
                          j.management.empty() ? std::string("a cluster ocne did not record") : j.management);
      }
      m_management_path = fs::Path(j.management);
    }
  }
  if (report.management_kubeconfig.empty()) {
    report.management_kubeconfig = m_management_path->string();
  }
  OCNE_TRY_ASSIGN(m_management, client_for(*m_management_path));
  return m_management.get();
}

Result<const RenderedResources*>
StartRun::rendered()
{
  if (!m_rendered) {
    OCNE_TRY_ASSIGN(auto r, render_resources(flavor, journal().images, ctx.progress));
    m_rendered = std::move(r);
    report.images = m_rendered->images;
  }
  return &*m_rendered;
}

Result<ClusterResources>
StartRun::resources()
{
  const auto j = journal();
  if (j.finished(Step::apply) && !j.cluster.empty()) {
    return ClusterResources{ j.cluster, j.namespace_ };
  }
  OCNE_TRY_ASSIGN(const auto* r, rendered());
  OCNE_TRY_ASSIGN(auto objects, k8s::parse_yaml_stream(r->yaml, r->source));
  return check_resources(
    objects, [this](std::string_view leaf, std::string_view value) { return flavor.image_id_problem(leaf, value); });
}

Result<k8s::Client*>
StartRun::workload()
{
  if (!m_workload) {
    OCNE_TRY_ASSIGN(m_workload, client_for(options.kubeconfig_path));
  }
  return m_workload.get();
}

} // namespace ocne::providers::capi
