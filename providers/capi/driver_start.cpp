// CapiDriver::start: the steps of steps.hpp, each skipped when the journal
// says an earlier run finished it.

#include "pkg/cluster/ephemeral.hpp"
#include "pkg/cluster/probe.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "providers/capi/driver.hpp"
#include "providers/capi/driver_steps.hpp"
#include "providers/capi/start_run.hpp"
#include "providers/capi/steps.hpp"

#include <filesystem>

namespace ocne::providers::capi {

CapiDriver::CapiDriver(CapiOptions options, std::unique_ptr<CloudSession> flavor)
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
  return { m_options.kubeconfig_path, {} };
}

Status
CapiDriver::preflight(const ClusterRecord* existing)
{
  const auto journal = existing != nullptr ? read_journal(*existing) : Journal{};
  if (journal.phase == cluster::Phase::running || journal.pivoted) {
    return {}; // what it needs is asked when it is needed
  }
  // The management cluster: the recorded one, else the configured one (none
  // configured: the ephemeral cluster, started by the management step).
  std::optional<fs::Path> path;
  if (!journal.management.empty() && journal.ephemeral.empty()) {
    path = fs::Path(journal.management);
  } else if (journal.management.empty()) {
    OCNE_TRY_ASSIGN(
      path, cluster::management_kubeconfig(m_options.configured_kubeconfig, m_options.configured_key, m_options.env));
  }
  if (!path) {
    return m_flavor->check_credentials();
  }
  OCNE_TRY_ASSIGN(auto client, detail::client_for(*path));
  auto version = client->server_version();
  if (!version) {
    return make_error(version.error().with_context(
      fmt::format("the management cluster ({}) does not answer as a Kubernetes API", path->string())));
  }
  if (version->empty()) {
    return make_error(ErrorKind::invalid_input,
                      "{} is not a Kubernetes API: GET /version has no gitVersion ({})",
                      client->describe(),
                      path->string());
  }
  return m_flavor->check_credentials();
}

namespace {

// What the plan needs to know of the clusters (only what the journal makes
// worth asking).
Observed
observe(const Journal& journal, const CapiOptions& options)
{
  Observed seen;
  std::error_code ec;
  seen.kubeconfig_exists = std::filesystem::exists(options.kubeconfig_path, ec);
  if (journal.phase == cluster::Phase::running) {
    auto probe = cluster::make_kube_probe(options.interval, options.clock);
    if (auto nodes = probe->count_nodes(options.kubeconfig_path)) {
      seen.running_nodes = static_cast<int>(*nodes);
    } else {
      log::debug("the cluster does not answer: {}", nodes.error().message());
    }
  }
  return seen;
}

std::vector<std::string>
names_of(const std::vector<Step>& steps)
{
  std::vector<std::string> out;
  for (const auto step : steps) {
    out.emplace_back(to_string(step));
  }
  return out;
}

} // namespace

Result<cluster::StartResult>
CapiDriver::start(cluster::StartContext& ctx)
{
  cluster::StartResult result;
  result.kubeconfigs = kubeconfigs();
  result.notes = { "To access the cluster:", "    use " + m_options.kubeconfig_path.string() };
  const auto journal = read_journal(ctx.tracker.snapshot());
  m_report.cluster = journal.cluster;
  m_report.namespace_ = journal.namespace_;
  m_report.pivoted = journal.pivoted;
  const auto plan = plan_start(journal, observe(journal, m_options), m_options.self_managed);
  switch (plan.resume) {
    case Resume::already_running:
      log::info("Cluster {} is already running", ctx.cluster_name);
      m_report.management_kubeconfig = journal.management;
      result.outcome = cluster::StartOutcome::already_running;
      return result;
    case Resume::rechecked:
      log::info("Cluster {} is recorded as running but does not answer; checking every step again", ctx.cluster_name);
      for (const auto step : plan.clear) {
        OCNE_TRY(clear_done(ctx.tracker, step));
      }
      break;
    case Resume::continued:
      m_report.resumed_after = names_of(plan.finished);
      log::info("Continuing the start of cluster {}; finished before: {}",
                ctx.cluster_name,
                str::join(m_report.resumed_after, ", "));
      break;
    case Resume::fresh:
      break;
  }

  StartRun run{ m_options, *m_flavor, m_report, ctx };
  for (const auto step : plan.run) {
    OCNE_TRY(spec_of(step).run(run));
  }
  if (m_report.management_kubeconfig.empty()) {
    m_report.management_kubeconfig = read_journal(ctx.tracker.snapshot()).management;
  }
  log::info("Kubernetes cluster was created successfully");
  return result;
}

} // namespace ocne::providers::capi
