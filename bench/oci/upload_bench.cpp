// Multipart upload throughput of pkg/oci against a raw `curl -T` PutObject of
// the same file to the same OCI test server, measured side by side in one
// run, plus the upload client's peak RSS.
//
//   ocne_oci_upload_bench [SIZE_MIB=4096] [PART_MIB=128] [PARALLEL=10] [ROUNDS=2]
//
// Goals: throughput ratio >= 0.9 and peak RSS < 100 MiB, whatever the size.

#include "pkg/core/process.hpp"
#include "pkg/oci/signer.hpp"
#include "tests/servers/oci/oci_test_server.hpp"
#include "tests/servers/oci/test_keys.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t k_mib = 1ULL << 20;

struct Run
{
  double seconds = 0;
  long max_rss_kib = 0;
  int exit_code = -1;
};

// Runs argv, waits, and reports wall time and the child's peak RSS.
Run
run(const std::vector<std::string>& argv)
{
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage
  {};
  ::wait4(pid, &status, 0, &usage);
  Run r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.max_rss_kib = usage.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string
make_file(const std::filesystem::path& path, std::uint64_t size)
{
  // Sparse, with a stamp every 64 MiB: cheap on disk, and every byte is
  // still read, hashed and sent by both contenders.
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    std::perror("bench file");
    std::exit(1);
  }
  for (std::uint64_t off = 0; off < size; off += 64 * k_mib) {
    const auto stamp = "bench@" + std::to_string(off);
    if (::pwrite(fd, stamp.data(), stamp.size(), static_cast<off_t>(off)) < 0) {
      std::exit(1);
    }
  }
  ::close(fd);
  return path.string();
}

} // namespace

int
main(int argc, char** argv)
{
  const std::uint64_t size_mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 4096;
  const std::string part_mib = argc > 2 ? argv[2] : "128";
  const std::string parallel = argc > 3 ? argv[3] : "10";
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 2;
  if (!ocne::program_exists("curl")) {
    std::fprintf(stderr, "curl is not installed\n");
    return 1;
  }

  char tmpl[] = "/tmp/ocne-oci-bench-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl);
  const auto file = make_file(dir / "disk.img", size_mib * k_mib);

  // The server keeps digests only: both contenders pay the same per byte.
  ocne::test::oci::ServerOptions so;
  so.threads = 32;
  ocne::test::oci::OciTestServer server(so);
  const auto& key = ocne::test::oci::shared_test_key();
  const std::string user = "ocid1.user.oc1..aaaaaaaabench";
  server.add_api_key(so.tenancy + "/" + user + "/" + key.fingerprint, key.public_pem);
  server.add_bucket(so.tenancy, "bench");
  server.start();
  const auto key_file = (dir / "key.pem").string();
  std::ofstream(key_file) << key.private_pem;
  ::chmod(key_file.c_str(), 0600);
  auto signer = ocne::oci::Signer::from_api_key(
    ocne::Secret(key.private_pem), ocne::Secret(), { so.tenancy, user, key.fingerprint }, "bench key");

  Run best_curl;
  Run best_client;
  best_curl.seconds = best_client.seconds = 1e9;
  for (int round = 0; round < rounds; ++round) {
    // Raw curl -T: one signed PutObject of the whole file.
    ocne::http::Request put{ .method = "PUT",
                             .url = server.url() + "/n/ocnetestns/b/bench/o/raw-" + std::to_string(round) };
    if (!signer->sign(put, ocne::oci::BodySigning::exclude_body, std::chrono::system_clock::now())) {
      return 1;
    }
    std::vector<std::string> curl = { "curl",
                                      "-sS",
                                      "-f",
                                      "-o",
                                      "/dev/null",
                                      "-T",
                                      file,
                                      "-H",
                                      "Expect:",
                                      "-H",
                                      "Content-Type: application/octet-stream" };
    for (const auto* h : { "date", "authorization" }) {
      curl.push_back("-H");
      curl.push_back(std::string(h) + ": " + *put.headers.get(h));
    }
    curl.push_back(put.url);
    const auto c = run(curl);
    if (c.exit_code != 0) {
      std::fprintf(stderr, "curl failed (%d)\n", c.exit_code);
      return 1;
    }
    if (c.seconds < best_curl.seconds) {
      best_curl = c;
    }

    const auto m = run({ OCNE_OCI_BENCH_CLIENT,
                         server.url(),
                         so.tenancy,
                         user,
                         key.fingerprint,
                         key_file,
                         file,
                         "multi-" + std::to_string(round),
                         part_mib,
                         parallel });
    if (m.exit_code != 0) {
      std::fprintf(stderr, "the upload client failed (%d)\n", m.exit_code);
      return 1;
    }
    if (m.seconds < best_client.seconds) {
      best_client = m;
    }
  }
  server.stop();
  std::filesystem::remove_all(dir);

  const double mib = static_cast<double>(size_mib);
  const double ratio = best_curl.seconds / best_client.seconds;
  const double rss_mib = static_cast<double>(best_client.max_rss_kib) / 1024.0;
  std::printf("file                %llu MiB (sparse), parts %s MiB x %s parallel, best of %d\n",
              static_cast<unsigned long long>(size_mib),
              part_mib.c_str(),
              parallel.c_str(),
              rounds);
  std::printf("curl -T PutObject   %.2f s  %.0f MiB/s\n", best_curl.seconds, mib / best_curl.seconds);
  std::printf("pkg/oci multipart   %.2f s  %.0f MiB/s\n", best_client.seconds, mib / best_client.seconds);
  std::printf("throughput ratio    %.2f (goal >= 0.90) %s\n", ratio, ratio >= 0.9 ? "ok" : "MISSED");
  std::printf("client peak RSS     %.1f MiB (goal < 100) %s\n", rss_mib, rss_mib < 100 ? "ok" : "MISSED");
  return 0;
}
