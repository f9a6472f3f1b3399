// Runs the Oxide test server on its own, for manual testing and benchmarks:
//   ocne-oxide-test-server [--token T] [--project P] [--storage DIR] [--no-validate]
// Prints the base URL on stdout, then serves until stdin closes or SIGTERM.

#include "tests/servers/oxide/oxide_server.hpp"

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

int
main(int argc, char** argv)
{
  ocne::test::OxideServerOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "ocne-oxide-test-server: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--token") {
      options.token = value();
    } else if (arg == "--project") {
      options.project = value();
    } else if (arg == "--storage") {
      options.storage_dir = value();
    } else if (arg == "--spec") {
      options.spec_path = value();
    } else if (arg == "--no-validate") {
      options.validate = false;
    } else {
      std::cerr << "usage: ocne-oxide-test-server [--token T] [--project P] [--storage DIR] [--spec FILE] "
                   "[--no-validate]\n";
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ocne::test::OxideServer server(options);
  server.start();
  std::cout << server.url() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  server.stop();
  for (const auto& v : server.violations()) {
    std::cerr << "spec violation: " << v << "\n";
  }
  return 0;
}
