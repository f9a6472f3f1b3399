// LibvirtDriver::start: ocne's create() (research ocne.md §4.2-§4.4) with
// pre-flight checks first, every object recorded before it is made, and the
// API waited for through the same path the user will use.

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/libvirt/connection.hpp"
#include "pkg/pki/kubeconfig.hpp"
#include "providers/libvirt/address_book.hpp"
#include "providers/libvirt/domain_xml.hpp"
#include "providers/libvirt/driver.hpp"
#include "providers/libvirt/host.hpp"
#include "providers/libvirt/naming.hpp"
#include "providers/libvirt/networking.hpp"
#include "providers/libvirt/node_ignition.hpp"
#include "providers/libvirt/ownership.hpp"

namespace ocne::providers::libvirt {

using ocne::libvirt::Connection;
using ocne::libvirt::Domain;

LibvirtDriver::LibvirtDriver(Options options, DriverDeps deps) : m_options(std::move(options)), m_deps(std::move(deps))
{
  if (!m_deps.probe) {
    m_deps.probe = cluster::make_kube_probe();
  }
  if (!m_deps.writer) {
    m_deps.writer = stream_writer();
  }
}

cluster::KubeconfigPaths
LibvirtDriver::kubeconfigs() const
{
  return { local_kubeconfig_path(m_options.kube_dir, m_options.cluster_name),
           vm_kubeconfig_path(m_options.kube_dir, m_options.cluster_name) };
}

namespace {

// A virtual IP keepalived moves between the control planes (no external
// load balancer, not the single-node 127.0.0.1) needs the HA monitor.
bool
needs_ha_monitor(const Options& o, const std::string& api_address)
{
  return o.load_balancer.empty() && !api_address.empty() && api_address != "127.0.0.1";
}

struct NodePlan
{
  std::string domain;
  ignition::NodeRole role;
  const NodeSize* size;
};

std::vector<NodePlan>
plan_nodes(const Options& o)
{
  std::vector<NodePlan> nodes;
  for (unsigned i = 1; i <= o.control_plane_nodes; ++i) {
    nodes.push_back({ domain_name(o.cluster_name, Role::control_plane, i),
                      i == 1 ? ignition::NodeRole::init : ignition::NodeRole::control_plane,
                      &o.control_plane });
  }
  for (unsigned i = 1; i <= o.worker_nodes; ++i) {
    nodes.push_back({ domain_name(o.cluster_name, Role::worker, i), ignition::NodeRole::worker, &o.worker });
  }
  return nodes;
}

std::string
gib(std::uint64_t bytes)
{
  return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / static_cast<double>(1ULL << 30));
}

// Everything start needs while it runs.
struct Run
{
  const Options& o;
  cluster::StartContext& ctx;
  const Connection& conn;
  const VolumeWriter& writer;
  HostFacts facts;
  NetworkPlan plan;
  std::string pool_name;
  BaseVolume base;
  std::string host_address;
  Allocation allocation;
  std::string api_address;
  ClusterSecrets secrets;

  Status
  track_volume(const std::string& volume)
  {
    return ctx.tracker.add({ std::string(k_provider), "volume", pool_name + "/" + volume, volume });
  }

  Status
  create_node(const NodePlan& node, ocne::libvirt::Pool& pool)
  {
    log::info("Creating node {}", node.domain);
    const auto disk = disk_volume_name(node.domain);
    OCNE_TRY(track_volume(disk));
    OCNE_TRY(create_overlay(pool, disk, base, node.size->storage_bytes));
    OCNE_TRY_ASSIGN(auto ignition,
                    node_ignition(o, plan, secrets, { node.role, node.domain, api_address, host_address }));
    const auto ign = ignition_volume_name(node.domain);
    OCNE_TRY(track_volume(ign));
    OCNE_TRY_ASSIGN(auto ign_volume,
                    create_content_volume(
                      pool, ign, ignition.reveal(), "the Ignition config of " + node.domain, writer, ctx.progress));
    OCNE_TRY_ASSIGN(auto ign_path, ign_volume.path());
    DomainSpec spec;
    spec.name = node.domain;
    spec.cluster = o.cluster_name;
    spec.role = node.role == ignition::NodeRole::worker ? "worker" : "control-plane";
    spec.domain_type = facts.domain_type;
    spec.arch = facts.arch;
    spec.vcpus = node.size->cpus;
    spec.memory_kib = node.size->memory_kib;
    spec.secure_boot = o.secure_boot;
    spec.smm = o.smm;
    spec.pool = pool_name;
    spec.disk_volume = disk;
    spec.ignition_path = ign_path;
    spec.network = plan.mode == NetworkMode::bridge ? plan.network : "";
    if (node.role == ignition::NodeRole::init) {
      UserNic nic;
      nic.subnet = o.slirp_subnet;
      if (o.load_balancer.empty()) {
        nic.host_address = host_address;
        nic.host_port = allocation.port;
        nic.guest_port = o.api_port;
      }
      spec.user_nic = nic;
    }
    OCNE_TRY(ctx.tracker.add({ std::string(k_provider), "domain", "", node.domain }));
    OCNE_TRY_ASSIGN(auto domain, conn.define_domain(render_domain_xml(spec)));
    OCNE_TRY_ASSIGN(auto uuid, domain.uuid());
    OCNE_TRY(ctx.tracker.set_id(k_provider, "domain", node.domain, uuid));
    OCNE_TRY(domain.start());
    return {};
  }
};

} // namespace

Result<cluster::StartResult>
LibvirtDriver::start(cluster::StartContext& ctx)
{
  const Options& o = m_options;
  if (!is_valid_cluster_name(o.cluster_name)) {
    return make_error(ErrorKind::invalid_input,
                      "cluster name {} cannot name libvirt domains (letters, digits, '-', '_', '.'; 63 at most)",
                      str::quote(o.cluster_name));
  }
  if (o.control_plane_nodes == 0) {
    return make_error(ErrorKind::invalid_input, "a cluster needs at least one control-plane node");
  }
  OCNE_TRY_ASSIGN(auto conn, Connection::open(o.uri));
  const auto record = ctx.tracker.snapshot();
  const auto nodes = plan_nodes(o);
  const auto paths = kubeconfigs();

  // An existing first node: the cluster exists (ours), or the name is taken.
  OCNE_TRY_ASSIGN(auto first, conn.find_domain(nodes.front().domain));
  if (first) {
    OCNE_TRY_ASSIGN(auto owned, owns_domain(record, *first, o.cluster_name));
    if (!owned) {
      return make_error(ErrorKind::already_exists,
                        "domain {} already exists on {} and was not created by ocne for cluster {}; it is left alone: "
                        "choose another cluster name or remove that domain",
                        first->name(),
                        conn.uri().text,
                        o.cluster_name);
    }
    OCNE_TRY_ASSIGN(auto active, first->is_active());
    if (!active) {
      log::info("Starting the stopped node {}", first->name());
      OCNE_TRY(first->start());
      OCNE_TRY(m_deps.probe->wait_ready(paths.host, 1, o.ready_timeout, ctx.progress));
    } else if (auto seen = m_deps.probe->count_nodes(paths.host); !seen) {
      return make_error(ErrorKind::unavailable,
                        "cluster {} exists (domain {} is running) but its Kubernetes API does not answer through {}: "
                        "{}; 'ocne cluster delete -C {}' removes it",
                        o.cluster_name,
                        first->name(),
                        paths.host.string(),
                        seen.error().message(),
                        o.cluster_name);
    }
    log::info("Cluster {} is running already", o.cluster_name);
    // A start that stopped before its add-ons were in finishes them now.
    const auto iface = record.state.find("cniInterface");
    const auto vip = record.state.find("apiAddress");
    OCNE_TRY(m_deps.probe->install_addons(
      paths.host,
      { o.cni,
        o.pod_subnet,
        iface == record.state.end() ? std::vector<std::string>{} : std::vector<std::string>{ iface->second },
        needs_ha_monitor(o, vip == record.state.end() ? "" : vip->second),
        o.ready_timeout },
      ctx.progress));
    cluster::StartResult result;
    result.outcome = cluster::StartOutcome::already_running;
    result.kubeconfigs = paths;
    return result;
  }

  log::info("Creating new Kubernetes cluster with version {} named {}", o.kubernetes_version, o.cluster_name);
  Run run{ o, ctx, conn, m_deps.writer, {}, {}, {}, {}, {}, {}, {}, {} };
  OCNE_TRY_ASSIGN(run.facts, detect_host(conn, o.domain_type, o.arch));
  if (run.facts.domain_type == "qemu" && !run.facts.why_not_kvm.empty()) {
    log::warn("{}: {}; the nodes run emulated (TCG) and are much slower", conn.uri().text, run.facts.why_not_kvm);
  }
  OCNE_TRY_ASSIGN(run.plan, plan_networking(conn, o));

  // Pre-flight: nothing below creates anything until the whole plan fits.
  std::uint64_t memory_kib = 0;
  for (const auto& node : nodes) {
    memory_kib += node.size->memory_kib;
    if (node.size->cpus == 0 || node.size->memory_kib == 0 || node.size->storage_bytes == 0) {
      return make_error(
        ErrorKind::invalid_input, "node {} needs a cpu count, memory and storage above zero", node.domain);
    }
    if (node.domain != nodes.front().domain) {
      OCNE_TRY_ASSIGN(auto taken, conn.find_domain(node.domain));
      if (taken) {
        return make_error(ErrorKind::already_exists,
                          "domain {} already exists on {} and was not created by ocne for cluster {}; it is left "
                          "alone: choose another cluster name or remove that domain",
                          node.domain,
                          conn.uri().text,
                          o.cluster_name);
      }
    }
  }
  const std::string who = nodes.size() == 1 ? "the node needs" : fmt::format("the {} nodes need", nodes.size());
  if (run.facts.memory.total_kib != 0 && memory_kib > run.facts.memory.total_kib) {
    return make_error(ErrorKind::invalid_input,
                      "{} {} of memory but the libvirt host {} has {} in all; use fewer or smaller "
                      "nodes (providers.libvirt.controlPlaneNode/workerNode.memory)",
                      who,
                      gib(memory_kib << 10),
                      conn.uri().text,
                      gib(run.facts.memory.total_kib << 10));
  }
  if (run.facts.memory.available_kib != 0 && memory_kib > run.facts.memory.available_kib) {
    log::warn("{} {} of memory and the libvirt host {} has {} available; it may swap",
              who,
              gib(memory_kib << 10),
              conn.uri().text,
              gib(run.facts.memory.available_kib << 10));
  }

  OCNE_TRY_ASSIGN(auto pool_choice, ensure_pool(conn, o.storage_pool, default_pool_path(conn.uri(), o.home)));
  run.pool_name = pool_choice.name;
  OCNE_TRY_ASSIGN(auto pool_opt, conn.find_pool(run.pool_name));
  if (!pool_opt) {
    return make_error(ErrorKind::not_found, "storage pool {} disappeared from {}", run.pool_name, conn.uri().text);
  }
  auto& pool = *pool_opt;
  for (const auto& node : nodes) {
    for (const auto& volume : { disk_volume_name(node.domain), ignition_volume_name(node.domain) }) {
      OCNE_TRY_ASSIGN(auto found, pool.find_volume(volume));
      if (found) {
        return make_error(ErrorKind::already_exists,
                          "volume {} already exists in storage pool {} and was not created by ocne for cluster {}; it "
                          "is left alone: remove it (virsh vol-delete --pool {} {}) if it is a leftover",
                          volume,
                          run.pool_name,
                          o.cluster_name,
                          run.pool_name,
                          volume);
      }
    }
  }
  const auto base_name = base_volume_name(o.boot_volume_name, o.kubernetes_version);
  // The base volume is shared by every cluster of this version and outlives
  // them; it is recorded only while this run uploads it, so a start that dies
  // half-way through the upload leaves it to `cluster delete`, not to the
  // next cluster.
  OCNE_TRY_ASSIGN(auto base_present, pool.find_volume(base_name));
  if (!base_present) {
    OCNE_TRY(run.track_volume(base_name));
  }
  OCNE_TRY_ASSIGN(run.base,
                  ensure_base_volume(
                    pool,
                    base_name,
                    [&]() -> Result<fs::Path> {
                      if (!o.boot_image) {
                        return make_error(ErrorKind::invalid_input,
                                          "the base volume {} is missing from pool {} and no boot image is "
                                          "configured (bootVolumeContainerImage)",
                                          base_name,
                                          run.pool_name);
                      }
                      return o.boot_image(run.facts.arch == "aarch64" ? "arm64" : "amd64", ctx.progress);
                    },
                    m_deps.writer,
                    ctx.progress));
  if (!base_present) {
    OCNE_TRY(ctx.tracker.remove(k_provider, "volume", base_name));
  }
  for (const auto& node : nodes) {
    if (node.size->storage_bytes < run.base.capacity) {
      return make_error(ErrorKind::invalid_input,
                        "node {} gets {} of disk but the boot image is {}; raise "
                        "providers.libvirt.{}.storage",
                        node.domain,
                        gib(node.size->storage_bytes),
                        gib(run.base.capacity),
                        node.role == ignition::NodeRole::worker ? "workerNode" : "controlPlaneNode");
    }
  }

  // Addresses: the virtual IP (allocated unless configured) and the port the
  // API is forwarded to on the libvirt host.
  OCNE_TRY_ASSIGN(run.host_address, host_address(conn.uri()));
  AddressBook book(o.state);
  AllocationRequest request;
  request.cluster = o.cluster_name;
  request.host = conn.uri().host.empty() ? "localhost" : conn.uri().host;
  request.first_port = o.api_port;
  std::set<std::string> leased;
  if (run.plan.api_address.empty()) {
    if (auto network = conn.find_network(run.plan.network); network && *network) {
      if (auto leases = (*network)->dhcp_leases(); leases) {
        for (const auto& lease : *leases) {
          leased.insert(lease.ip);
        }
      }
    }
    request.pick_ip = [&](const std::set<std::string>& taken) {
      return pick_virtual_ip(run.plan.gateway, run.plan.gateway_prefix, taken, leased, run.plan.network);
    };
  }
  if (conn.uri().is_local()) {
    request.port_usable = [&](unsigned port) { return port_is_free(run.host_address, port); };
  }
  OCNE_TRY(ctx.tracker.add({ std::string(k_provider), "address", "", o.cluster_name }));
  OCNE_TRY_ASSIGN(run.allocation, book.allocate(request));
  OCNE_TRY(ctx.tracker.set_id(k_provider,
                              "address",
                              o.cluster_name,
                              fmt::format("{} {} {}", run.allocation.host, run.allocation.ip, run.allocation.port)));
  run.api_address = run.plan.api_address.empty() ? run.allocation.ip : run.plan.api_address;
  OCNE_TRY(ctx.tracker.set_state("uri", conn.uri().text));
  OCNE_TRY(ctx.tracker.set_state("apiAddress", run.api_address));
  OCNE_TRY(ctx.tracker.set_state("apiForward", fmt::format("{}:{}", run.host_address, run.allocation.port)));
  OCNE_TRY(ctx.tracker.set_state("pool", run.pool_name));
  OCNE_TRY(ctx.tracker.set_state("domainType", run.facts.domain_type));

  // The cluster's CA and admin identity, and both kubeconfigs.
  OCNE_TRY_ASSIGN(run.secrets, make_cluster_secrets(o, run.api_address, { run.host_address }));
  pki::KubeconfigSpec spec;
  spec.ca_pem = run.secrets.pki.ca.cert_pem;
  spec.client_cert_pem = run.secrets.pki.admin.cert_pem;
  spec.client_key_pem = run.secrets.pki.admin.key_pem;
  spec.server = o.load_balancer.empty() ? pki::server_url(run.host_address, run.allocation.port)
                                        : pki::server_url(o.load_balancer, o.api_port);
  OCNE_TRY(ctx.tracker.add({ "local", "file", paths.host.string(), paths.host.string() }));
  OCNE_TRY(pki::write_kubeconfig(paths.host, spec));
  spec.server = pki::server_url(run.api_address, o.api_port);
  OCNE_TRY(ctx.tracker.add({ "local", "file", paths.internal.string(), paths.internal.string() }));
  OCNE_TRY(pki::write_kubeconfig(paths.internal, spec));

  // The first control-plane node, then the API, then the others.
  OCNE_TRY(run.create_node(nodes.front(), pool));
  OCNE_TRY(m_deps.probe->wait_ready(paths.host, 1, o.ready_timeout, ctx.progress));
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    OCNE_TRY(run.create_node(nodes[i], pool));
  }
  if (o.wait_for_all_nodes && nodes.size() > 1) {
    OCNE_TRY(m_deps.probe->wait_ready(paths.host, nodes.size(), o.ready_timeout, ctx.progress));
  }

  cluster::StartResult result;
  result.outcome = cluster::StartOutcome::created;
  result.kubeconfigs = paths;
  // The CNI interface(s) to use on the nodes (flannel --iface), if any.
  std::vector<std::string> cni_interfaces;
  if (run.plan.mode == NetworkMode::bridge) {
    cni_interfaces = { run.plan.net_interface };
    OCNE_TRY(ctx.tracker.set_state("cniInterface", run.plan.net_interface));
  }
  OCNE_TRY(m_deps.probe->install_addons(
    paths.host,
    { o.cni, o.pod_subnet, cni_interfaces, needs_ha_monitor(o, run.api_address), o.ready_timeout },
    ctx.progress));
  result.notes = { "To access the cluster from the VM host:",
                   fmt::format("    copy {} to that host and run kubectl there", paths.internal.string()),
                   "To access the cluster from this system:",
                   fmt::format("    use {}", paths.host.string()) };
  if (nodes.size() > 1 && !o.wait_for_all_nodes) {
    result.notes.emplace_back("The other nodes join the cluster in the background.");
  }
  return result;
}

} // namespace ocne::providers::libvirt
