// LibvirtDriver::destroy: removes what the cache entry lists, newest first,
// and forgets each object once it is gone. Objects already gone are fine; a
// domain that turns out not to be ours is left alone. An entry written by
// Oracle's ocne lists nothing: then its naming rules find the objects
// (research ocne.md §4.7).

#include "pkg/cluster/phase.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/libvirt/connection.hpp"
#include "providers/libvirt/address_book.hpp"
#include "providers/libvirt/driver.hpp"
#include "providers/libvirt/naming.hpp"
#include "providers/libvirt/ownership.hpp"

#include <future>
#include <optional>

namespace ocne::providers::libvirt {

using ocne::libvirt::Connection;

namespace {

class Deleter
{
public:
  Deleter(const Options& options, cluster::DeleteContext& ctx) : m_o(options), m_ctx(ctx)
  {
  }

  Result<const Connection*>
  connection()
  {
    if (!m_conn) {
      auto uri = m_ctx.record.state.find("uri");
      OCNE_TRY_ASSIGN(auto conn, Connection::open(uri != m_ctx.record.state.end() ? uri->second : m_o.uri));
      m_conn.emplace(std::move(conn));
    }
    return &*m_conn;
  }

  Status
  domain(const TrackedResource& r)
  {
    OCNE_TRY_ASSIGN(auto conn, connection());
    OCNE_TRY_ASSIGN(auto found, conn->find_domain(r.name));
    if (found) {
      OCNE_TRY_ASSIGN(auto owned, owns_domain(m_ctx.record, *found, m_ctx.cluster_name));
      if (!owned) {
        log::warn("Domain {} is not the one ocne created for cluster {}; leaving it alone", r.name, m_ctx.cluster_name);
      } else {
        log::info("Deleting domain {}", r.name);
        OCNE_TRY(found->destroy());
        OCNE_TRY(found->undefine());
      }
    }
    return m_ctx.tracker.remove(r.provider, r.kind, r.name);
  }

  // Stops the cluster's running domains all at once. libvirt takes a second
  // or two to stop each QEMU process; one after the other, that was most of
  // a delete. Undefining them and removing the rest stays in order, below.
  Status
  stop_domains(const std::vector<TrackedResource>& resources)
  {
    OCNE_TRY_ASSIGN(auto conn, connection());
    std::vector<ocne::libvirt::Domain> running;
    for (const auto& r : resources) {
      if (r.kind != "domain") {
        continue;
      }
      OCNE_TRY_ASSIGN(auto found, conn->find_domain(r.name));
      if (!found) {
        continue;
      }
      // A domain that is not ours is reported (and left alone) by domain().
      OCNE_TRY_ASSIGN(auto owned, owns_domain(m_ctx.record, *found, m_ctx.cluster_name));
      OCNE_TRY_ASSIGN(auto active, found->is_active());
      if (owned && active) {
        running.push_back(std::move(*found));
      }
    }
    if (running.size() < 2) {
      return {};
    }
    log::info("Stopping {} domains", running.size());
    // libvirt connections are thread-safe; each thread has its own domain handle.
    std::vector<std::future<Status>> stops;
    stops.reserve(running.size());
    for (auto& d : running) {
      stops.push_back(std::async(std::launch::async, [&d] { return d.destroy(); }));
    }
    Status first_failure;
    for (auto& stop : stops) {
      auto stopped = stop.get();
      if (!stopped && first_failure) {
        first_failure = std::move(stopped);
      }
    }
    return first_failure;
  }

  Status
  volume(const TrackedResource& r)
  {
    const auto slash = r.id.find('/');
    const std::string pool_name = slash == std::string::npos ? m_o.storage_pool : r.id.substr(0, slash);
    OCNE_TRY_ASSIGN(auto conn, connection());
    OCNE_TRY_ASSIGN(auto pool, conn->find_pool(pool_name));
    if (pool) {
      (void)pool->refresh();
      OCNE_TRY_ASSIGN(auto found, pool->find_volume(r.name));
      if (found) {
        log::info("Deleting volume {}", r.name);
        OCNE_TRY(found->remove());
      }
    }
    return m_ctx.tracker.remove(r.provider, r.kind, r.name);
  }

  Status
  file(const TrackedResource& r)
  {
    std::error_code ec;
    if (std::filesystem::exists(r.id, ec)) {
      log::info("Deleting file {}", r.id);
    }
    OCNE_TRY(fs::remove_file(r.id));
    return m_ctx.tracker.remove(r.provider, r.kind, r.name);
  }

  Status
  address(const TrackedResource& r)
  {
    OCNE_TRY(AddressBook(m_o.state).release(r.name));
    return m_ctx.tracker.remove(r.provider, r.kind, r.name);
  }

  // A cluster Oracle's ocne made: its domains by name, their volumes, the
  // kubeconfigs and the address allocation.
  Status
  legacy()
  {
    OCNE_TRY_ASSIGN(auto conn, connection());
    OCNE_TRY_ASSIGN(auto domains, conn->domains());
    for (auto& d : domains) {
      const auto owner = cluster_of_domain(d.name());
      if (!owner || *owner != m_ctx.cluster_name) {
        continue;
      }
      log::info("Deleting domain {}", d.name());
      OCNE_TRY(d.destroy());
      OCNE_TRY(d.undefine());
      OCNE_TRY(volume({ "libvirt",
                        "volume",
                        m_o.storage_pool + "/" + ignition_volume_name(d.name()),
                        ignition_volume_name(d.name()) }));
      OCNE_TRY(volume(
        { "libvirt", "volume", m_o.storage_pool + "/" + disk_volume_name(d.name()), disk_volume_name(d.name()) }));
    }
    for (const auto& path : { local_kubeconfig_path(m_o.kube_dir, m_ctx.cluster_name),
                              vm_kubeconfig_path(m_o.kube_dir, m_ctx.cluster_name) }) {
      OCNE_TRY(file({ "local", "file", path.string(), path.string() }));
    }
    return AddressBook(m_o.state).release(m_ctx.cluster_name);
  }

private:
  const Options& m_o;
  cluster::DeleteContext& m_ctx;
  std::optional<Connection> m_conn;
};

} // namespace

Status
LibvirtDriver::destroy(cluster::DeleteContext& ctx)
{
  Deleter deleter(m_options, ctx);
  const auto& resources = ctx.record.resources;
  if (resources.empty()) {
    const auto phase = cluster::phase_of(ctx.record);
    const bool ours = phase != cluster::Phase::none && phase != cluster::Phase::running;
    if (ctx.record.config_yaml.empty() || ours) {
      // Nothing is known to be ocne's: touch nothing.
      return {};
    }
    return deleter.legacy();
  }
  OCNE_TRY(deleter.stop_domains(resources));
  // Newest first: domains go before the volumes they use.
  for (auto it = resources.rbegin(); it != resources.rend(); ++it) {
    const auto& r = *it;
    if (r.kind == "domain") {
      OCNE_TRY(deleter.domain(r));
    } else if (r.kind == "volume") {
      OCNE_TRY(deleter.volume(r));
    } else if (r.kind == "file") {
      OCNE_TRY(deleter.file(r));
    } else if (r.kind == "address") {
      OCNE_TRY(deleter.address(r));
    } else {
      log::warn("Cluster {} records a {} {} that the libvirt driver does not know; leaving it",
                ctx.cluster_name,
                r.kind,
                r.name);
    }
  }
  return {};
}

} // namespace ocne::providers::libvirt
