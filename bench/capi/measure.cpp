#include "bench/capi/measure.hpp"

#include "tests/support/process.hpp"

#include <fmt/core.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace ocne::bench {

using Clock = std::chrono::steady_clock;

Measured
run_ocne(const std::vector<std::string>& args,
         const std::map<std::string, std::string>& env,
         const std::filesystem::path& log)
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
  while (wait4(pid, &m.status, 0, &usage) < 0 && errno == EINTR) {
  }
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

} // namespace ocne::bench
