// Apply throughput: ocne's pkg/k8s against kubectl, the same manifests to two
// fresh copies of the Kubernetes test server, in one run.
//
//   ocne_k8s_apply_bench [objects=500]
//
// kubectl cannot apply custom resources in the same invocation that creates
// their CRDs (its REST mapping is fixed at start), so it gets what a user
// would run: apply the CRDs, wait for them to be Established, apply the rest.

#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "pkg/k8s/apply.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "tests/servers/kube/kube_server.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace {

using Clock = std::chrono::steady_clock;
namespace stdfs = std::filesystem;

std::string
crd_stream(const stdfs::path& shared)
{
  std::string out;
  for (const char* folder : { "crds/capi", "crds/oci" }) {
    std::vector<stdfs::path> files;
    for (const auto& e : stdfs::directory_iterator(shared / folder)) {
      if (e.path().extension() == ".yaml") {
        files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      out += "---\n" + ocne::value_or_throw(ocne::fs::read_file(f)) + "\n";
    }
  }
  return out;
}

// n objects: a namespace, then ConfigMaps, Secrets and Cluster API Machines.
std::string
object_stream(int n)
{
  std::string out = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n";
  for (int i = 1; i < n; ++i) {
    switch (i % 3) {
      case 0:
        out += fmt::format("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{0}, namespace: bench, labels: "
                           "{{app: bench}}}}\ndata: {{index: \"{0}\", enabled: \"true\"}}\n",
                           i);
        break;
      case 1:
        out += fmt::format("---\napiVersion: v1\nkind: Secret\nmetadata: {{name: secret-{0}, namespace: bench}}\n"
                           "type: Opaque\ndata: {{value: c2VjcmV0}}\n",
                           i);
        break;
      default:
        out += fmt::format("---\napiVersion: cluster.x-k8s.io/v1beta2\nkind: Machine\nmetadata: {{name: machine-{0}, "
                           "namespace: bench, labels: {{cluster.x-k8s.io/cluster-name: bench}}}}\nspec:\n"
                           "  clusterName: bench\n  bootstrap: {{dataSecretName: machine-{0}}}\n"
                           "  infrastructureRef: {{apiGroup: infrastructure.cluster.x-k8s.io, kind: OCIMachine, name: "
                           "machine-{0}}}\n",
                           i);
    }
  }
  return out;
}

int
count_crds(const std::string& stream)
{
  int n = 0;
  for (std::size_t pos = 0; (pos = stream.find("\nkind: CustomResourceDefinition\n", pos)) != std::string::npos;
       ++pos) {
    ++n;
  }
  return n;
}

} // namespace

int
main(int argc, char** argv)
{
  const int objects = argc > 1 ? std::atoi(argv[1]) : 500;
  const stdfs::path shared = std::getenv("OCNE_SHARED_DIR") ? std::getenv("OCNE_SHARED_DIR") : OCNE_BENCH_SHARED_DIR;
  if (!stdfs::exists(shared / "crds/capi")) {
    std::cerr << "bench: " << shared << "/crds/capi not found (set OCNE_SHARED_DIR)\n";
    return 2;
  }
  const auto work = stdfs::temp_directory_path() / fmt::format("ocne-k8s-bench-{}", ::getpid());
  stdfs::create_directories(work);
  const auto crds = crd_stream(shared);
  const auto rest = object_stream(objects);
  ocne::value_or_throw(ocne::fs::write_file_atomic(work / "crds.yaml", crds));
  ocne::value_or_throw(ocne::fs::write_file_atomic(work / "objects.yaml", rest));
  const int crd_count = count_crds(crds);
  const int total = crd_count + objects;

  // ocne
  ocne::test::kube::ServerOptions so;
  so.kubeconfig_path = work / "ocne.kubeconfig";
  ocne::test::kube::KubeTestServer ocne_server(so);
  ocne_server.start();
  auto access = ocne::value_or_throw(ocne::k8s::load_kubeconfig({ so.kubeconfig_path }));
  ocne::k8s::Client client(std::move(access));
  const auto t0 = Clock::now();
  auto applied = ocne::k8s::apply_manifest(client, crds + rest, "bench.yaml", {}, ocne::null_progress());
  const auto ocne_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!applied) {
    std::cerr << "bench: ocne apply failed: " << applied.error().message() << "\n";
    return 1;
  }

  // kubectl
  if (!ocne::program_exists("kubectl")) {
    fmt::print("ocne    {} objects ({} CRDs) in {:.2f}s: {:.0f} objects/s\nkubectl not found: no comparison\n",
               total,
               crd_count,
               ocne_seconds,
               total / ocne_seconds);
    return 0;
  }
  so.kubeconfig_path = work / "kubectl.kubeconfig";
  ocne::test::kube::KubeTestServer kubectl_server(so);
  kubectl_server.start();
  const auto kubeconfig = so.kubeconfig_path.string();
  auto kubectl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), { "kubectl", "--kubeconfig", kubeconfig });
    ocne::ProcessOptions p;
    p.argv = args;
    p.timeout = std::chrono::minutes(10);
    auto r = ocne::value_or_throw(ocne::run_process(p));
    if (!r.ok()) {
      throw std::runtime_error("kubectl failed: " + r.err);
    }
  };
  const auto t1 = Clock::now();
  kubectl({ "apply", "--server-side", "--field-manager", "kubectl", "-f", (work / "crds.yaml").string() });
  kubectl({ "wait", "--for", "condition=Established", "crd", "--all", "--timeout", "60s" });
  kubectl({ "apply", "--server-side", "--field-manager", "kubectl", "-f", (work / "objects.yaml").string() });
  const auto kubectl_seconds = std::chrono::duration<double>(Clock::now() - t1).count();

  fmt::print("apply of {} objects ({} CRDs + {} objects) to the Kubernetes test server\n", total, crd_count, objects);
  fmt::print("  ocne    {:7.2f}s  {:7.0f} objects/s\n", ocne_seconds, total / ocne_seconds);
  fmt::print("  kubectl {:7.2f}s  {:7.0f} objects/s\n", kubectl_seconds, total / kubectl_seconds);
  fmt::print("  ratio   ocne is {:.1f}x kubectl\n", kubectl_seconds / ocne_seconds);
  stdfs::remove_all(work);
  return 0;
}
