// CapiDriver::destroy: find the Cluster (moving a self-managed cluster's
// objects back into a bootstrap cluster first), delete it, wait until Cluster
// API has removed its machines and infrastructure, then remove what ocne
// wrote: the kubeconfig file and the Secrets of the cluster's namespace.

#include "pkg/clusterctl/cluster_objects.hpp"
#include "pkg/core/log.hpp"
#include "pkg/k8s/wait.hpp"
#include "providers/capi/driver.hpp"
#include "providers/capi/driver_steps.hpp"
#include "providers/capi/journal.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace ocne::providers::capi {

namespace {

using detail::client_for;

bool
file_exists(const fs::Path& path)
{
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// The Cluster by namespace and name, or (namespace unknown) by name alone,
// in the version the cluster serves. A cluster that serves no Cluster API
// has none: nullopt when nothing says it should, an error when the journal
// says the cluster was applied there.
Result<std::optional<k8s::ObjectRef>>
find_cluster(k8s::Client& client, const std::string& ns, const std::string& name, bool expected)
{
  auto version = clusterctl::core_version(client);
  if (!version) {
    if (version.error().kind() == ErrorKind::not_found && !expected) {
      return std::optional<k8s::ObjectRef>{}; // no Cluster API here at all
    }
    if (version.error().kind() == ErrorKind::not_found) {
      return make_error(ErrorKind::not_found,
                        "{}; it is not the cluster that manages {} (nothing was removed)",
                        version.error().message(),
                        name);
    }
    return tl::unexpected(version.error()); // the cluster did not answer
  }
  const k8s::GroupVersionKind gvk{ "cluster.x-k8s.io", *version, "Cluster" };
  if (!ns.empty()) {
    const k8s::ObjectRef ref{ gvk.api_version(), "Cluster", ns, name };
    OCNE_TRY_ASSIGN(auto found, client.find(ref));
    return found ? std::optional<k8s::ObjectRef>(ref) : std::nullopt;
  }
  OCNE_TRY_ASSIGN(auto list, client.list(gvk));
  std::vector<k8s::ObjectRef> matches;
  for (const auto& item : list.items) {
    if (item["metadata"].value("name", "") == name) {
      matches.push_back(k8s::ObjectRef::of(item));
    }
  }
  if (matches.size() > 1) {
    return make_error(ErrorKind::conflict,
                      "{} Clusters named {} in {} ({} and {}); delete the one you mean with kubectl",
                      matches.size(),
                      name,
                      client.describe(),
                      matches[0].to_string(),
                      matches[1].to_string());
  }
  return matches.empty() ? std::nullopt : std::optional<k8s::ObjectRef>(matches.front());
}

// Forgets what the record lists but a delete has nothing to do for: the
// kubeconfig file and the boot images (kept for the next cluster).
Status
forget_local(cluster::DeleteContext& ctx, const std::string& provider, const fs::Path& kubeconfig)
{
  for (const auto& r : ctx.record.resources) {
    if (r.provider == provider && r.kind == "image") {
      // Boot images stay: the next cluster of this version uses them.
      log::info("Keeping boot image {} ({}) for the next cluster", r.id, r.name);
      OCNE_TRY(ctx.tracker.remove(r.provider, r.kind, r.name));
    }
  }
  if (file_exists(kubeconfig)) {
    log::info("Deleting file {}", kubeconfig.string());
    OCNE_TRY(fs::remove_file(kubeconfig));
  }
  return ctx.tracker.remove("local", "file", kubeconfig.string());
}

} // namespace

Status
CapiDriver::destroy(cluster::DeleteContext& ctx)
{
  const auto& rec = ctx.record;
  auto& tracker = ctx.tracker;
  const std::string provider(m_flavor->provider());
  const auto journal = read_journal(rec);
  std::string ns = journal.namespace_;
  std::string name = journal.cluster.empty() ? ctx.cluster_name : journal.cluster;
  m_report.cluster = name;
  m_report.namespace_ = ns;

  // A start that stopped before it applied anything (the Cluster's name is
  // recorded before the first object) left nothing in a management cluster:
  // forget it without asking one. An uncached cluster is looked for by name.
  const bool cached = !rec.state.empty();
  if (cached && !journal.applied_anything()) {
    log::info("Cluster {} was never applied to a management cluster; forgetting it", ctx.cluster_name);
    return forget_local(ctx, provider, m_options.kubeconfig_path);
  }

  std::unique_ptr<k8s::Client> management;
  cluster::ManagementCluster bootstrap;
  const bool pivoted = journal.pivoted;
  // A cluster recorded as managing itself is deleted only once its Cluster
  // is found: never forgotten because its API did not answer.
  bool must_find = pivoted;
  if (pivoted && !file_exists(m_options.kubeconfig_path)) {
    return make_error(ErrorKind::not_found,
                      "cluster {} manages itself, but its kubeconfig {} is gone; put it back so its Cluster API "
                      "objects can be moved out and deleted (nothing was removed)",
                      name,
                      m_options.kubeconfig_path.string());
  }
  if ((pivoted || m_options.self_managed) && file_exists(m_options.kubeconfig_path)) {
    // A self-managed cluster cannot delete its own last machines: its
    // objects go back into a bootstrap cluster first.
    auto workload = client_for(m_options.kubeconfig_path);
    Result<std::optional<k8s::ObjectRef>> in_workload =
      workload ? find_cluster(**workload, ns, name, pivoted) : tl::unexpected(workload.error());
    if (!in_workload) {
      if (pivoted) {
        return make_error(in_workload.error().with_context(
          fmt::format("cluster {} manages itself, but its Cluster API objects cannot be read through {}",
                      name,
                      m_options.kubeconfig_path.string())));
      }
      log::debug("not self-managed after all: {}", in_workload.error().message());
    } else if (*in_workload) {
      ns = (*in_workload)->namespace_;
      OCNE_TRY_ASSIGN(bootstrap,
                      cluster::ensure_management_cluster(m_options.config,
                                                         m_options.configured_kubeconfig,
                                                         m_options.configured_key,
                                                         m_options.env,
                                                         m_options.start_ephemeral));
      m_report.ephemeral = bootstrap.ephemeral;
      m_report.ephemeral_created = bootstrap.created;
      OCNE_TRY_ASSIGN(management, client_for(bootstrap.kubeconfig));
      OCNE_TRY(detail::install_stack(*management, m_options, *m_flavor, m_report, ctx.progress));
      log::info("Moving Cluster API resources out of the self-managed cluster into {}", bootstrap.kubeconfig.string());
      if (bootstrap.ephemeral && bootstrap.created) {
        // Recorded before the move, so a rerun still removes it at the end.
        OCNE_TRY(tracker.set_state(journal::k_delete_ephemeral, journal::k_created));
      }
      OCNE_TRY(detail::move_objects(**workload, *management, ns, m_options, ctx.progress));
      OCNE_TRY(tracker.set_state(journal::k_pivoted, ""));
      OCNE_TRY(tracker.set_state(journal::k_management, bootstrap.kubeconfig.string()));
      m_report.moved_back = true;
      m_report.management_kubeconfig = bootstrap.kubeconfig.string();
    }
  }
  if (!management) {
    // The management cluster the start recorded; another one would not have
    // the Cluster, and the record would be dropped while the cloud keeps the
    // machines. Only a cluster with nothing recorded is looked for in the
    // configured one (KUBECONFIG, the ephemeral cluster).
    const auto& recorded = journal.management;
    const bool recorded_elsewhere = !recorded.empty() && recorded != m_options.kubeconfig_path.string();
    if (recorded_elsewhere && file_exists(recorded)) {
      m_report.management_kubeconfig = recorded;
      m_report.ephemeral = !journal.ephemeral.empty();
    } else if (recorded_elsewhere && journal.ephemeral.empty()) {
      return make_error(ErrorKind::not_found,
                        "cluster {} was applied to the management cluster of {}, which no longer exists; put that "
                        "kubeconfig back so its Cluster can be deleted (nothing was removed)",
                        name,
                        recorded);
    } else {
      OCNE_TRY_ASSIGN(bootstrap,
                      cluster::ensure_management_cluster(m_options.config,
                                                         m_options.configured_kubeconfig,
                                                         m_options.configured_key,
                                                         m_options.env,
                                                         m_options.start_ephemeral));
      if (recorded_elsewhere && bootstrap.created) {
        return make_error(ErrorKind::not_found,
                          "cluster {} was managed from the ephemeral cluster, which was removed since (a new one was "
                          "started at {}): its Cluster API objects went with it, so its machines must be removed in "
                          "the cloud itself (nothing was removed)",
                          name,
                          bootstrap.kubeconfig.string());
      }
      m_report.management_kubeconfig = bootstrap.kubeconfig.string();
      m_report.ephemeral = bootstrap.ephemeral;
      m_report.ephemeral_created = bootstrap.created;
    }
    OCNE_TRY_ASSIGN(management, client_for(m_report.management_kubeconfig));
  }

  OCNE_TRY_ASSIGN(auto cluster_ref, find_cluster(*management, ns, name, journal.applied_anything()));
  if (cluster_ref) {
    m_report.namespace_ = ns = cluster_ref->namespace_;
    log::info("Deleting Cluster {}/{}", ns, name);
    if (auto removed = management->remove(*cluster_ref); !removed && removed.error().kind() != ErrorKind::not_found) {
      return make_error(removed.error().with_context(fmt::format("deleting Cluster {}/{}", ns, name)));
    }
    k8s::WaitOptions wait;
    wait.timeout = m_options.delete_timeout;
    wait.interval = m_options.interval;
    wait.clock = m_options.clock;
    if (auto gone = k8s::wait_deleted(*management, *cluster_ref, wait, ctx.progress); !gone) {
      return make_error(gone.error().with_context(
        fmt::format("Cluster API did not finish deleting Cluster {}/{} (its machines and infrastructure)", ns, name)));
    }
    m_report.cluster_deleted = true;
  } else if (must_find) {
    return make_error(ErrorKind::not_found,
                      "cluster {} was moved into itself, but its Cluster is neither there ({}) nor in {}; nothing "
                      "was removed",
                      name,
                      m_options.kubeconfig_path.string(),
                      management->describe());
  } else {
    log::info("Cluster {} is not in the management cluster {}; nothing to delete there", name, management->describe());
  }
  // Secrets the flavor names after the cluster (a cluster ocne has no
  // record of still had them written by its start).
  if (!ns.empty()) {
    for (const auto& secret : m_flavor->secret_names(name)) {
      const k8s::ObjectRef ref{ "v1", "Secret", ns, secret };
      if (auto removed = management->remove(ref); !removed && removed.error().kind() != ErrorKind::not_found) {
        return make_error(removed.error().with_context(fmt::format("deleting Secret {}/{}", ns, secret)));
      }
    }
  }
  OCNE_TRY(tracker.remove(provider, "cluster", name));

  for (const auto& r : rec.resources) {
    if (r.provider == provider && r.kind == "secret") {
      const auto slash = r.id.find('/');
      const k8s::ObjectRef ref{ "v1", "Secret", r.id.substr(0, slash), r.id.substr(slash + 1) };
      if (auto removed = management->remove(ref); !removed && removed.error().kind() != ErrorKind::not_found) {
        return make_error(removed.error().with_context(fmt::format("deleting Secret {}", r.id)));
      }
      OCNE_TRY(tracker.remove(r.provider, r.kind, r.name));
    }
  }
  OCNE_TRY(forget_local(ctx, provider, m_options.kubeconfig_path));

  // A bootstrap cluster a delete started for the move back (this one or an
  // earlier, interrupted one) is not needed any more; one that manages the
  // cluster's peers stays.
  if (read_journal(tracker.snapshot()).delete_ephemeral) {
    OCNE_TRY_ASSIGN(m_report.ephemeral_removed, detail::release_ephemeral(m_options, m_report.management_kubeconfig));
    OCNE_TRY(tracker.set_state(journal::k_delete_ephemeral, ""));
  }
  return {};
}

} // namespace ocne::providers::capi
