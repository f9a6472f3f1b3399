#pragma once

// One run of CapiDriver::start: what the steps (start_steps.cpp) share. The
// management cluster, the rendered resources and the workload cluster are
// settled lazily, the first time a step needs them, from what an earlier
// step of this run found or, for steps an earlier run finished, from the
// journal.

#include "pkg/k8s/client.hpp"
#include "providers/capi/driver.hpp"
#include "providers/capi/journal.hpp"

#include <memory>
#include <optional>

namespace ocne::providers::capi {

struct StartRun
{
  StartRun(const CapiOptions& o, CloudSession& f, CapiReport& r, cluster::StartContext& c)
    : options(o), flavor(f), report(r), ctx(c)
  {
  }

  const CapiOptions& options;
  CloudSession& flavor;
  CapiReport& report;
  cluster::StartContext& ctx;

  // The journal as it is now.
  Journal journal() const;
  // The test seam: a named point reached (CapiOptions::checkpoint).
  void checkpoint(std::string_view point) const;
  // The step's work is done: "<step> finished" is the last point before the
  // journal says so (a crash there repeats the step's idempotent work).
  Status finish(Step step);

  // The management cluster the management step settled, or the journal's.
  Result<k8s::Client*> management();
  void set_management(fs::Path kubeconfig);
  // The resources rendered with the recorded images (rendered once a run).
  Result<const RenderedResources*> rendered();
  // The Cluster's namespace and name: the journal's once apply chose them.
  Result<ClusterResources> resources();
  // The workload cluster (~/.kube/kubeconfig.<name>).
  Result<k8s::Client*> workload();

private:
  std::optional<fs::Path> m_management_path;
  std::unique_ptr<k8s::Client> m_management;
  std::optional<RenderedResources> m_rendered;
  std::unique_ptr<k8s::Client> m_workload;
};

// The steps' functions (steps.cpp lists them in order).
Status run_management(StartRun& run);
Status run_components(StartRun& run);
Status run_images(StartRun& run);
Status run_apply(StartRun& run);
Status run_workload(StartRun& run);
Status run_addons(StartRun& run);
Status run_nodes(StartRun& run);
Status run_pivot(StartRun& run);

} // namespace ocne::providers::capi
