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

#include "tests/support/capi_world.hpp"
#include "tests/support/process.hpp"
#include "tests/support/shared_dir.hpp"

#include <fmt/core.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
namespace stdfs = std::filesystem;

struct Measured
{
  int status = -1;
  double wall = 0;
  double cpu = 0;
};

// Runs the ocne binary with exactly this environment; stdout and stderr go
// to files in work.
Measured
run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, const stdfs::path& log)
{
  std::vector<std::string> argv{ ocne::test::ocne_binary().string() };
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> envs;
  for (const auto& [k, v] : env) {
    envs.push_back(k + "=" + v);
  }
  if (const char* path = std::getenv("PATH")) {
    envs.push_back(std::string("PATH=") + path);
  }
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> a;
    for (auto& s : argv) {
      a.push_back(s.data());
    }
    a.push_back(nullptr);
    std::vector<char*> e;
    for (auto& s : envs) {
      e.push_back(s.data());
    }
    e.push_back(nullptr);
    if (std::freopen(log.c_str(), "w", stderr) == nullptr || std::freopen("/dev/null", "w", stdout) == nullptr) {
      _exit(126);
    }
    execve(a[0], a.data(), e.data());
    _exit(127);
  }
  Measured m;
  rusage usage{};
  wait4(pid, &m.status, 0, &usage);
  m.wall = std::chrono::duration<double>(Clock::now() - start).count();
  m.cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
          static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return m;
}

void
report(const char* what, const Measured& m)
{
  fmt::print("{:<28} wall {:6.2f} s = ocne CPU {:5.2f} s ({:4.1f}%) + waiting {:6.2f} s\n",
             what,
             m.wall,
             m.cpu,
             100.0 * m.cpu / m.wall,
             m.wall - m.cpu);
}

} // namespace

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
    const auto first = run({ "cluster", "start", "-c", file.string() }, env, work / "start.log");
    const auto again = run({ "cluster", "start", "-c", file.string() }, env, work / "again.log");
    const auto removed = run({ "cluster", "delete", "-C", "bench" }, env, work / "delete.log");
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
