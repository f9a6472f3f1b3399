// `ocne cluster upgrade` of a 3+3 cluster from 1.33 to 1.34 for oci or oxide
// in the Cluster API test world, the boot images of both versions already in
// the cloud (issue 21): the ocne binary's own CPU against the wall time
// (waiting for the fake controllers to roll six machines), beside the start
// of the same cluster measured in the same run.
//
//   ocne_capi_upgrade_bench [oci|oxide]
//
// ocne polls the cluster every 100 ms here (OCNE_CAPI_POLL_MS), as in the
// start benchmark, so part of both figures is the cost of watching, which
// grows with how long the fake controllers take to roll the machines.
//
// Goal: the upgrade costs ocne no more CPU than starting the cluster did
// (it installs no stack and builds no image; what it adds is watching six
// machines being replaced), and a rerun of the finished upgrade (reading
// the cluster, finding nothing to do) costs at most half of it.

#include "bench/capi/measure.hpp"
#include "tests/support/capi_world.hpp"
#include "tests/support/shared_dir.hpp"

#include <fmt/core.h>

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

namespace stdfs = std::filesystem;
using ocne::bench::report;
using ocne::bench::run_ocne;

int
main(int argc, char** argv)
{
  const std::string provider = argc > 1 ? argv[1] : "oci";
  if (!ocne::test::shared_dir()) {
    std::cerr << "ocne_capi_upgrade_bench: ../shared is absent (set OCNE_SHARED_DIR)\n";
    return 77;
  }
  const auto work = stdfs::temp_directory_path() / fmt::format("ocne-capi-upgrade-bench-{}", getpid());
  stdfs::create_directories(work);
  int rc = 0;
  {
    ocne::test::CapiWorld world(work, { .provider = provider, .kubernetes_versions = { "1.33", "1.34" } });
    auto env = world.env();
    env["OCNE_CAPI_POLL_MS"] = "100";
    const auto file = world.write_cluster_file("bench", "controlPlaneNodes: 3\nworkerNodes: 3\n");
    const auto started = run_ocne({ "cluster", "start", "-c", file.string() }, env, work / "start.log");
    world.settle();
    const auto images = world.image_count();
    const auto upgraded = run_ocne({ "cluster", "upgrade", "-C", "bench", "-v", "1.34" }, env, work / "upgrade.log");
    world.settle();
    const auto again = run_ocne({ "cluster", "upgrade", "-C", "bench", "-v", "1.34" }, env, work / "again.log");
    fmt::print("ocne cluster upgrade -P {} of a 3+3 cluster, 1.33 -> 1.34, in the Cluster API test world "
               "(images present)\n",
               provider);
    report("start 1.33 (stack installed)", started);
    report("upgrade to 1.34", upgraded);
    report("upgrade again (done)", again);
    const bool ok = started.status == 0 && upgraded.status == 0 && again.status == 0;
    if (!ok) {
      fmt::print("a run failed: see the logs in {}\n", work.string());
      rc = 1;
    } else if (world.image_count() != images) {
      fmt::print("the upgrade built an image although both versions' images were present: see {}\n", work.string());
      rc = 1;
    } else {
      const double ratio = upgraded.cpu / started.cpu;
      fmt::print("upgrade CPU / start CPU: {:.2f}; goal <= 1.00: {}\n", ratio, ratio <= 1.0 ? "met" : "NOT met");
      fmt::print("rerun CPU / upgrade CPU: {:.2f}; goal <= 0.50: {}\n",
                 again.cpu / upgraded.cpu,
                 again.cpu <= 0.5 * upgraded.cpu ? "met" : "NOT met");
    }
  }
  if (rc == 0) {
    stdfs::remove_all(work);
  }
  return rc;
}
