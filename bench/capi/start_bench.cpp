// `ocne cluster start` then `cluster delete` for oci or oxide in the Cluster
// API test world, the ocne binary in a child process: its CPU time (user +
// system, from wait4) against the wall time. The servers run in this
// process, so what the child spends is ocne's own work; the rest of the wall
// time is waiting for the (fake) controllers and the servers.
//
//   ocne_capi_bench [oci|oxide]
//
// Goal (issue 13): under 2 s of ocne's own CPU for a start with the images
// already in the cloud.

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
    std::cerr << "ocne_capi_bench: ../shared is absent (set OCNE_SHARED_DIR)\n";
    return 77;
  }
  const auto work = stdfs::temp_directory_path() / fmt::format("ocne-capi-bench-{}", getpid());
  stdfs::create_directories(work);
  int rc = 0;
  {
    ocne::test::CapiWorld world(work, { .provider = provider });
    auto env = world.env();
    env["OCNE_CAPI_POLL_MS"] = "100";
    const auto file = world.write_cluster_file("bench");
    const auto first = run_ocne({ "cluster", "start", "-c", file.string() }, env, work / "start.log");
    const auto again = run_ocne({ "cluster", "start", "-c", file.string() }, env, work / "again.log");
    const auto removed = run_ocne({ "cluster", "delete", "-C", "bench" }, env, work / "delete.log");
    fmt::print("ocne cluster start/delete -P {} in the Cluster API test world (images present)\n", provider);
    report("start (stack installed)", first);
    report("start (already running)", again);
    report("delete", removed);
    const bool ok = first.status == 0 && again.status == 0 && removed.status == 0;
    if (!ok) {
      fmt::print("a run failed: see the logs in {}\n", work.string());
      rc = 1;
    } else {
      fmt::print(
        "goal: ocne's own CPU for a start under 2 s: {} ({:.2f} s)\n", first.cpu < 2.0 ? "met" : "NOT met", first.cpu);
    }
  }
  if (rc == 0) {
    stdfs::remove_all(work);
  }
  return rc;
}
