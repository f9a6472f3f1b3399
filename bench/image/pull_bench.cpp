// Pulls a boot disk from a local docker-registry and extracts it, side by
// side with `curl` downloading the same layer blob to a file, and prints the
// throughput ratio and the peak RSS of the pull. The layer holds a qcow2 of
// OCNE_BENCH_IMAGE_MIB MiB (default 256), half random and half repetitive,
// so it compresses about as well as an OCK disk.

#include "pkg/core/log.hpp"
#include "pkg/image/boot_image.hpp"
#include "tests/servers/registry/test_registry.hpp"
#include "tests/support/image/background_process.hpp"
#include "tests/support/image/oci_layout_builder.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double
seconds_since(Clock::time_point start)
{
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void
make_disk(const fs::path& path, std::size_t mib)
{
  ocne::test::run_checked({ "qemu-img", "create", "-q", "-f", "qcow2", path.string(), "16G" });
  std::ofstream out(path, std::ios::binary | std::ios::app);
  std::mt19937_64 rng(7);
  std::string block(64 * 1024, '\0');
  const std::string text = "ostree object; kernel module; systemd unit; ";
  for (std::size_t i = 0; i < mib * 16; ++i) {
    if (i % 2 == 0) {
      for (std::size_t j = 0; j < block.size(); j += 8) {
        const auto v = rng();
        std::memcpy(block.data() + j, &v, 8);
      }
    } else {
      for (std::size_t j = 0; j < block.size(); ++j) {
        block[j] = text[j % text.size()];
      }
    }
    out.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
}

// Runs fn in a child process; returns its wall time and peak RSS (KiB).
std::pair<double, long>
measure_child(const std::function<int()>& fn)
{
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::_exit(fn());
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  const double t = seconds_since(start);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("the measured child failed");
  }
  return { t, usage.ru_maxrss };
}

} // namespace

int
main()
{
  try {
    const auto missing = ocne::test::TestRegistry::missing_tools();
    if (!missing.empty() || !ocne::test::have_program("curl") || !ocne::test::have_program("qemu-img")) {
      std::cerr << "ocne_image_bench: needs docker-registry, skopeo, htpasswd, qemu-img and curl\n";
      return 2;
    }
    const char* mib_env = std::getenv("OCNE_BENCH_IMAGE_MIB");
    const std::size_t mib = mib_env != nullptr ? std::strtoul(mib_env, nullptr, 10) : 256;
    const int rounds = 3;
    char templ[] = "/var/tmp/ocne-image-bench-XXXXXX";
    const fs::path work = ::mkdtemp(templ);
    ocne::log::set_level(ocne::log::Level::warn);

    std::cout << "preparing a " << mib << " MiB boot disk layer..." << std::endl;
    make_disk(work / "boot.qcow2", mib);
    ocne::test::OciLayoutBuilder layout(work / "layout");
    const auto manifest = layout.add_image(
      "amd64", { ocne::test::LayerSpec{ { ocne::test::TarEntry{ "disk/boot.qcow2", "", work / "boot.qcow2" } } } });
    layout.tag("bench", manifest);
    std::ifstream m(layout.blob_path(manifest.digest));
    const std::string manifest_json((std::istreambuf_iterator<char>(m)), std::istreambuf_iterator<char>());
    const auto at = manifest_json.find("sha256:", manifest_json.find("\"layers\""));
    const auto layer = manifest_json.substr(at, 71);
    const auto layer_size = fs::file_size(layout.blob_path(layer));

    ocne::test::TestRegistry registry(work / "registry");
    registry.push(layout.dir(), "bench", "olcne/ock:bench");
    const auto blob_url = "http://" + registry.host() + "/v2/olcne/ock/blobs/" + layer;

    std::vector<double> curl_times;
    std::vector<double> ocne_times;
    long peak_rss = 0;
    for (int round = 0; round < rounds; ++round) {
      // Alternate, so neither side always gets the warmer page cache.
      const auto out = work / "curl.blob";
      const auto start = Clock::now();
      ocne::test::run_checked({ "curl", "-sf", "-o", out.string(), blob_url });
      curl_times.push_back(seconds_since(start));
      fs::remove(out);

      const auto images = work / ("images-" + std::to_string(round));
      const auto [t, rss] = measure_child([&] {
        ocne::image::BootImageOptions o;
        o.source = registry.host() + "/olcne/ock:bench";
        o.version = "bench";
        o.images_dir = images;
        auto r = ocne::image::ensure_boot_image(o, ocne::null_progress());
        if (!r) {
          std::cerr << r.error().message() << "\n";
          return 1;
        }
        return 0;
      });
      ocne_times.push_back(t);
      peak_rss = std::max(peak_rss, rss);
      fs::remove_all(images);
    }
    std::sort(curl_times.begin(), curl_times.end());
    std::sort(ocne_times.begin(), ocne_times.end());
    const double curl_t = curl_times[rounds / 2];
    const double ocne_t = ocne_times[rounds / 2];
    const double blob_mb = static_cast<double>(layer_size) / 1e6;
    std::printf("layer blob: %.1f MB (gzip), boot disk: %zu MiB; median of %d rounds\n", blob_mb, mib, rounds);
    std::printf("%-32s %8.2f s %9.1f MB/s\n", "curl download to a file", curl_t, blob_mb / curl_t);
    std::printf("%-32s %8.2f s %9.1f MB/s\n", "ocne pull + verify + extract", ocne_t, blob_mb / ocne_t);
    std::printf("ratio (ocne time / curl time): %.2f\n", ocne_t / curl_t);
    std::printf("peak RSS of the pull: %.1f MiB\n", static_cast<double>(peak_rss) / 1024.0);
    registry.stop();
    fs::remove_all(work);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ocne_image_bench: " << e.what() << "\n";
    return 1;
  }
}
