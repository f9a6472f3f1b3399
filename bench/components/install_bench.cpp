// The oci Cluster API stack: processing alone, then the whole install into
// the Kubernetes test server (in a child process, so this process's CPU time
// is ocne's own), side by side with the server's CPU for the same work.
//
//   ocne_components_bench [oci|oxide]
//
// Goal (issue 11): under 1 s of ocne's CPU to process and apply the stack.

#include "pkg/clusterctl/components.hpp"
#include "pkg/clusterctl/installer.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "tests/servers/kube/controllers.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/components_release.hpp"
#include "tests/support/shared_dir.hpp"

#include <fmt/core.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;
namespace stdfs = std::filesystem;

double
cpu_seconds(int who)
{
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The server with its fake controllers; reports its own CPU time in a file
// when told to stop (SIGTERM).
volatile sig_atomic_t g_stop = 0;

[[noreturn]] void
serve(const stdfs::path& work)
{
  signal(SIGTERM, [](int) { g_stop = 1; });
  ocne::test::kube::ServerOptions so;
  so.kubeconfig_path = work / "kubeconfig.tmp";
  ocne::test::kube::KubeTestServer server(so);
  server.start();
  ocne::test::kube::play_deployment_controller(server);
  ocne::test::kube::play_cert_manager(server);
  ocne::test::kube::play_endpoints_controller(server);
  stdfs::rename(work / "kubeconfig.tmp", work / "kubeconfig");
  while (g_stop == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  (void)ocne::fs::write_file_atomic(work / "server-cpu", fmt::format("{}", cpu_seconds(RUSAGE_SELF)));
  server.stop();
  std::_Exit(0);
}

} // namespace

int
main(int argc, char** argv)
{
  // A Cluster API cloud of the registry: the first one (oci) unless named.
  const std::string provider = argc > 1 ? argv[1] : ocne::test::stack_names().front();
  if (!ocne::test::shared_dir()) {
    std::cerr << "bench: ../shared not found (set OCNE_SHARED_DIR)\n";
    return 2;
  }
  const auto work = stdfs::temp_directory_path() / fmt::format("ocne-components-bench-{}", ::getpid());
  stdfs::create_directories(work);
  // Fork before any thread exists.
  const pid_t child = fork();
  if (child == 0) {
    serve(work);
  }

  const auto release = ocne::test::write_stack_release(provider, work / "overrides");
  std::uint64_t bytes = 0;
  for (const auto& e : stdfs::recursive_directory_iterator(release)) {
    bytes += e.is_regular_file() ? e.file_size() : 0;
  }
  const auto* stack = &ocne::test::stack_of(provider);

  // 1. Processing alone: read, substitute, parse, rewrite, order.
  auto settings = ocne::clusterctl::SourceSettings{};
  settings.env = ocne::Environment::from_map({ { "HOME", work.string() } });
  settings.clusterctl.overrides_folder = release.string();
  settings.cache_dir = work / "cache";
  ocne::clusterctl::ComponentSource source(settings, ocne::null_progress());
  const double cpu0 = cpu_seconds(RUSAGE_SELF);
  const auto t0 = Clock::now();
  std::size_t objects = 0;
  for (const auto& c : stack->components) {
    auto file = ocne::value_or_throw(source.fetch(c, c.components));
    ocne::clusterctl::ProcessOptions po;
    po.variables = [&c](std::string_view name) -> std::optional<std::string> {
      for (const auto& [k, v] : c.variables) {
        if (k == name) {
          return v;
        }
      }
      return std::nullopt;
    };
    objects += ocne::value_or_throw(ocne::clusterctl::process_component(c, file.text, c.components, po)).objects.size();
  }
  const double process_wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double process_cpu = cpu_seconds(RUSAGE_SELF) - cpu0;

  // 2. The whole install.
  while (!stdfs::exists(work / "kubeconfig")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto access = ocne::value_or_throw(ocne::k8s::load_kubeconfig({ work / "kubeconfig" }));
  ocne::k8s::Client client(std::move(access));
  ocne::clusterctl::InstallOptions options;
  options.env = ocne::Environment::from_map({});
  options.interval = std::chrono::milliseconds(50);
  const double cpu1 = cpu_seconds(RUSAGE_SELF);
  const auto t1 = Clock::now();
  auto report = ocne::clusterctl::install_stack(client, *stack, source, options, ocne::null_progress());
  const double install_wall = std::chrono::duration<double>(Clock::now() - t1).count();
  const double install_cpu = cpu_seconds(RUSAGE_SELF) - cpu1;

  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  const double server_cpu = std::stod(ocne::fs::read_file(work / "server-cpu").value_or("0"));
  stdfs::remove_all(work);
  if (!report) {
    std::cerr << "bench: install failed: " << report.error().message() << "\n";
    return 1;
  }

  fmt::print("{} stack: {} components, {:.1f} MB of YAML, {} objects\n",
             provider,
             stack->components.size(),
             static_cast<double>(bytes) / 1e6,
             objects);
  fmt::print("  processing alone   {:6.2f}s wall  {:6.2f}s ocne CPU\n", process_wall, process_cpu);
  fmt::print("  install            {:6.2f}s wall  {:6.2f}s ocne CPU  {:6.2f}s waiting on the server\n",
             install_wall,
             install_cpu,
             std::max(0.0, install_wall - install_cpu));
  fmt::print("  test server        {:6.2f}s CPU for the same install (all of its startup included)\n", server_cpu);
  fmt::print("  ratio              ocne's CPU is {:.2f}x the server's\n",
             server_cpu > 0 ? install_cpu / server_cpu : 0.0);
  fmt::print("  goal               ocne's CPU under 1 s: {}\n", install_cpu < 1.0 ? "met" : "not met");
  return 0;
}
