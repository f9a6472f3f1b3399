// Oxide image import benchmark, all measured side by side in one run:
//
//  1. the loopback limit: curl POSTs the image's non-zero bytes, base64
//     encoded, to the same test server (a sink endpoint that reads the body);
//  2. the import of a 4 GiB raw image with 25% non-zero data by a separate
//     client process (this program re-run with --client: the same
//     pkg/oxide import `ocne image upload --type oxide` runs): time, payload
//     throughput as a ratio of (1), and the client's peak RSS;
//  3. the same import in-process with and without zero-chunk skipping.
//
//   ocne_oxide_bench [--size-gib 4] [--fraction 0.25] [--workers 8] [--dir DIR] [--validate]

#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "pkg/oxide/base64.hpp"
#include "pkg/oxide/image_import.hpp"
#include "tests/servers/oxide/oxide_server.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t k_chunk = 512 * 1024;

double
seconds_since(Clock::time_point start)
{
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double
mib(std::uint64_t bytes)
{
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

// Pseudo-random bytes: incompressible, cheap to make.
void
fill(std::string& buffer, std::uint64_t seed)
{
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (std::size_t i = 0; i + 8 <= buffer.size(); i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(buffer.data() + i, &x, 8);
  }
}

struct Child
{
  int exit_code = -1;
  double seconds = 0;
  long max_rss_kib = 0;
  std::string err;
};

Child
run_child(std::vector<std::string> args, const std::vector<std::string>& env, const std::filesystem::path& err_file)
{
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  for (auto& e : env_copy) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  Child c;
  pid_t pid = -1;
  const auto start = Clock::now();
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
    std::fprintf(stderr, "cannot start %s\n", argv[0]);
    return c;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  struct rusage usage
  {};
  wait4(pid, &status, 0, &usage);
  c.seconds = seconds_since(start);
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  c.max_rss_kib = usage.ru_maxrss;
  if (auto text = ocne::fs::read_file(err_file)) {
    c.err = *text;
  }
  return c;
}

} // namespace

// --client HOST FILE IMAGE WORKERS (token in OXIDE_TOKEN): one import, as
// the CLI runs it.
int
client_main(char** argv)
{
  ocne::oxide::ClientOptions co;
  co.host = argv[0];
  const char* token = std::getenv("OXIDE_TOKEN");
  co.token = ocne::Secret(token != nullptr ? token : "");
  ocne::oxide::Client client(co);
  auto image = ocne::qcow2::open_image(argv[1]);
  if (!image) {
    std::fprintf(stderr, "%s\n", image.error().message().c_str());
    return 1;
  }
  ocne::oxide::ImportOptions io;
  io.project = "k8s";
  io.image_name = argv[2];
  io.workers = std::stoi(argv[3]);
  auto r = ocne::oxide::import_image(client, **image, io, ocne::null_progress());
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message().c_str());
    return 1;
  }
  return 0;
}

int
main(int argc, char** argv)
{
  if (argc == 6 && std::string(argv[1]) == "--client") {
    return client_main(argv + 2);
  }
  std::uint64_t size_gib = 4;
  double fraction = 0.25;
  int workers = 8;
  bool validate = false;
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--size-gib" && i + 1 < argc) {
      size_gib = std::stoull(argv[++i]);
    } else if (a == "--fraction" && i + 1 < argc) {
      fraction = std::stod(argv[++i]);
    } else if (a == "--workers" && i + 1 < argc) {
      workers = std::stoi(argv[++i]);
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--validate") {
      validate = true;
    } else {
      std::fprintf(stderr, "usage: %s [--size-gib N] [--fraction F] [--workers N] [--dir DIR] [--validate]\n", argv[0]);
      return 2;
    }
  }
  const auto work = dir / ("ocne-oxide-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(work / "home");
  struct Cleanup
  {
    std::filesystem::path p;
    ~Cleanup()
    {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  } cleanup{ work };

  // The image: every 1/fraction-th chunk holds data, the rest is a hole.
  const std::uint64_t size = size_gib << 30;
  const std::uint64_t chunks = size / k_chunk;
  const auto stride = static_cast<std::uint64_t>(1.0 / fraction + 0.5);
  const auto image_path = work / "image.raw";
  const auto b64_path = work / "payload.b64";
  std::uint64_t data_bytes = 0;
  {
    const int fd = ::open(image_path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    const int out = ::open(b64_path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0 || out < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      std::perror("create bench files");
      return 1;
    }
    std::string chunk(k_chunk, '\0');
    std::string encoded;
    for (std::uint64_t i = 0; i < chunks; i += stride) {
      fill(chunk, i);
      if (::pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(i * k_chunk)) != static_cast<ssize_t>(k_chunk)) {
        std::perror("write image");
        return 1;
      }
      encoded.clear();
      ocne::oxide::base64_append(chunk, encoded);
      if (::write(out, encoded.data(), encoded.size()) != static_cast<ssize_t>(encoded.size())) {
        std::perror("write payload");
        return 1;
      }
      data_bytes += k_chunk;
    }
    ::close(fd);
    ::close(out);
  }
  const auto payload_bytes = std::filesystem::file_size(b64_path);

  ocne::test::OxideServerOptions options;
  options.storage_dir = work;
  options.validate = validate;
  ocne::test::OxideServer server(options);
  server.start();

  std::printf("Oxide image import benchmark\n");
  std::printf("  image: %.2f GiB raw, %.2f GiB non-zero (%.0f%%), %d workers, server spec validation %s\n",
              mib(size) / 1024,
              mib(data_bytes) / 1024,
              100.0 * static_cast<double>(data_bytes) / static_cast<double>(size),
              workers,
              validate ? "on" : "off");

  // 1. The loopback limit.
  auto start = Clock::now();
  auto curl = ocne::run_process(ocne::ProcessOptions{ .argv = { "curl",
                                                                "-sS",
                                                                "-o",
                                                                "/dev/null",
                                                                "-X",
                                                                "POST",
                                                                "-H",
                                                                "Content-Type: application/octet-stream",
                                                                "--data-binary",
                                                                "@" + b64_path.string(),
                                                                server.url() + "/__test/sink" } });
  const double curl_s = seconds_since(start);
  if (!curl || curl->exit_code != 0) {
    std::fprintf(stderr, "curl failed: %s\n", curl ? curl->err.c_str() : curl.error().message().c_str());
    return 1;
  }
  const double limit = mib(payload_bytes) / curl_s;
  std::printf(
    "  loopback limit: curl POST of %.0f MiB base64 in %.2f s = %.0f MiB/s\n", mib(payload_bytes), curl_s, limit);

  // 2. A separate client process, for time and peak RSS.
  const auto cli =
    run_child({ "/proc/self/exe", "--client", server.url(), image_path.string(), "bench-cli", std::to_string(workers) },
              { "PATH=/usr/bin:/bin", "OXIDE_TOKEN=" + options.token },
              work / "cli.err");
  if (cli.exit_code != 0) {
    std::fprintf(stderr, "the client's import failed:\n%s", cli.err.c_str());
    return 1;
  }
  const double cli_payload = mib(payload_bytes) / cli.seconds;
  std::printf("  import (client process): %.2f s, %.0f MiB/s of base64 payload = %.2f x the loopback limit "
              "(%.0f MiB/s of the %.0f GiB image)\n",
              cli.seconds,
              cli_payload,
              cli_payload / limit,
              mib(size) / cli.seconds,
              mib(size) / 1024);
  std::printf("  peak RSS of the client: %.1f MiB (goal: under 100 MiB)\n",
              static_cast<double>(cli.max_rss_kib) / 1024.0);

  // 3. Zero-chunk skipping, in-process.
  auto image = ocne::qcow2::open_image(image_path);
  if (!image) {
    std::fprintf(stderr, "%s\n", image.error().message().c_str());
    return 1;
  }
  ocne::oxide::ClientOptions co;
  co.host = server.url();
  co.token = ocne::Secret(options.token);
  ocne::oxide::Client client(co);
  double skip_s[2] = { 0, 0 };
  for (int skip = 1; skip >= 0; --skip) {
    ocne::oxide::ImportOptions io;
    io.project = "k8s";
    io.image_name = skip ? "bench-skip" : "bench-noskip";
    io.workers = workers;
    io.skip_zero_chunks = skip != 0;
    start = Clock::now();
    auto r = ocne::oxide::import_image(client, **image, io, ocne::null_progress());
    skip_s[skip] = seconds_since(start);
    if (!r) {
      std::fprintf(stderr, "import failed: %s\n", r.error().message().c_str());
      return 1;
    }
  }
  std::printf("  zero-chunk skipping: %.2f s with, %.2f s without = %.1f x faster\n",
              skip_s[1],
              skip_s[0],
              skip_s[0] / skip_s[1]);
  if (!server.violations().empty()) {
    std::fprintf(stderr, "spec violations: %s\n", server.violations().front().c_str());
    return 1;
  }
  return 0;
}
