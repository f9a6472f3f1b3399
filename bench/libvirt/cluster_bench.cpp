// Times `cluster start` and `cluster delete` of libvirt clusters against a
// real daemon and splits each into: waiting for the guests (the API wait),
// time inside libvirt calls (the daemon, QEMU start, uploads), and ocne's own
// work (PKI, Ignition, bookkeeping): the rest.

#include "pkg/cluster/lifecycle.hpp"
#include "pkg/core/log.hpp"
#include "pkg/libvirt/stats.hpp"
#include "providers/libvirt/driver.hpp"
#include "tests/e2e/libvirt/daemon.hpp"
#include "tests/support/shared_dir.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace ocne;
using SteadyClock = std::chrono::steady_clock;

double
seconds(std::chrono::nanoseconds d)
{
  return std::chrono::duration<double>(d).count();
}

// The real probe, with the time spent waiting counted.
class TimedProbe final : public cluster::ClusterProbe
{
public:
  TimedProbe(std::chrono::nanoseconds* waited)
    : m_inner(cluster::make_kube_probe(std::chrono::milliseconds(500))), m_waited(waited)
  {
  }
  Status
  wait_ready(const fs::Path& kubeconfig,
             std::size_t min_nodes,
             std::chrono::milliseconds timeout,
             ProgressSink& progress) override
  {
    const auto start = SteadyClock::now();
    auto status = m_inner->wait_ready(kubeconfig, min_nodes, timeout, progress);
    *m_waited += SteadyClock::now() - start;
    return status;
  }
  Result<std::size_t>
  count_nodes(const fs::Path& kubeconfig) override
  {
    const auto start = SteadyClock::now();
    auto n = m_inner->count_nodes(kubeconfig);
    *m_waited += SteadyClock::now() - start;
    return n;
  }
  Status
  install_addons(const fs::Path& kubeconfig, const cluster::AddonRequest& request, ProgressSink& progress) override
  {
    const auto start = SteadyClock::now();
    auto status = m_inner->install_addons(kubeconfig, request, progress);
    *m_waited += SteadyClock::now() - start;
    return status;
  }

private:
  std::unique_ptr<cluster::ClusterProbe> m_inner;
  std::chrono::nanoseconds* m_waited;
};

struct Split
{
  std::chrono::nanoseconds wall{ 0 };
  std::chrono::nanoseconds guests{ 0 };
  std::chrono::nanoseconds libvirt{ 0 };
};

void
print(const char* what, const std::string& size, const Split& s)
{
  const double wall = seconds(s.wall);
  const double guests = seconds(s.guests);
  const double lv = seconds(s.libvirt);
  const double own = std::max(0.0, wall - guests - lv);
  std::printf(
    "%-7s %-4s wall %7.2f s | guests %7.2f s (%4.1f%%) | libvirt %6.2f s (%4.1f%%) | ocne %6.2f s (%4.1f%%)\n",
    what,
    size.c_str(),
    wall,
    guests,
    100 * guests / wall,
    lv,
    100 * lv / wall,
    own,
    100 * own / wall);
}

} // namespace

int
main(int argc, char** argv)
{
  log::set_level(log::Level::warn);
  std::vector<std::string> sizes;
  for (int i = 1; i < argc; ++i) {
    sizes.emplace_back(argv[i]);
  }
  if (sizes.empty()) {
    sizes = { "1+1", "3+2" };
  }
  auto& daemon = test::LibvirtDaemon::get();
  if (!daemon.failure().empty()) {
    std::fprintf(stderr, "libvirt test daemon setup failed: %s\n", daemon.failure().c_str());
    return 1;
  }
  if (!daemon.skip_reason().empty()) {
    std::fprintf(stderr, "skipped: %s\n", daemon.skip_reason().c_str());
    return 0;
  }
  const auto work = ocne::test::binary_dir() / "bench-libvirt";
  std::filesystem::remove_all(work);
  std::printf("libvirt cluster start/delete against %s (TCG guests, fake-node image)\n", daemon.uri().c_str());
  int failures = 0;
  for (const auto& size : sizes) {
    const auto plus = size.find('+');
    const unsigned cps = static_cast<unsigned>(std::stoul(size.substr(0, plus)));
    const unsigned workers = plus == std::string::npos ? 0 : static_cast<unsigned>(std::stoul(size.substr(plus + 1)));
    const std::string name = "bench" + std::to_string(cps) + "x" + std::to_string(workers);
    providers::libvirt::Options o;
    o.cluster_name = name;
    o.uri = daemon.uri();
    o.control_plane_nodes = cps;
    o.worker_nodes = workers;
    o.control_plane = { 1, 320 * 1024, 1ULL << 30 };
    o.worker = { 1, 320 * 1024, 1ULL << 30 };
    o.boot_volume_name = "ocne-test-boot.qcow2";
    const auto image = daemon.boot_image();
    o.boot_image = [image](std::string_view, ProgressSink&) -> Result<fs::Path> { return image; };
    o.home = work;
    o.kube_dir = work / ".kube";
    o.state = StateDir(work / "ocne");
    o.ready_timeout = std::chrono::minutes(10);
    o.wait_for_all_nodes = false;

    Split start;
    libvirt::reset_call_stats();
    {
      providers::libvirt::DriverDeps deps;
      deps.probe = std::make_unique<TimedProbe>(&start.guests);
      providers::libvirt::LibvirtDriver driver(o, std::move(deps));
      const auto t0 = SteadyClock::now();
      auto started = cluster::start_cluster(driver, { .name = name, .provider = "libvirt" }, o.state, null_progress());
      start.wall = SteadyClock::now() - t0;
      if (!started) {
        std::fprintf(stderr, "start %s failed: %s\n", size.c_str(), started.error().message().c_str());
        ++failures;
      }
    }
    start.libvirt = libvirt::call_stats().time;
    print("start", size, start);

    Split del;
    libvirt::reset_call_stats();
    {
      providers::libvirt::LibvirtDriver driver(o);
      const auto t0 = SteadyClock::now();
      auto deleted = cluster::delete_cluster(driver, { .name = name }, o.state, null_progress());
      del.wall = SteadyClock::now() - t0;
      if (!deleted) {
        std::fprintf(stderr, "delete %s failed: %s\n", size.c_str(), deleted.error().message().c_str());
        ++failures;
      }
    }
    del.libvirt = libvirt::call_stats().time;
    print("delete", size, del);
  }
  daemon.stop();
  return failures == 0 ? 0 : 1;
}
