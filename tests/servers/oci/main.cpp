// Runs the OCI test server on its own, for benchmarks and manual tries:
//
//   ocne-oci-test-server --public-key key.pub.pem --key-id TENANCY/USER/FP
//                        [--storage DIR] [--compartment NAME]... [--bucket NAME]...
//
// Prints "listening <url>" on stdout, then serves until SIGINT or SIGTERM.

#include "tests/servers/oci/oci_test_server.hpp"

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

volatile std::sig_atomic_t g_stop = 0;

void
on_signal(int)
{
  g_stop = 1;
}

std::string
read_file(const std::string& path)
{
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

int
main(int argc, char** argv)
{
  ocne::test::oci::ServerOptions options;
  std::string public_key;
  std::string key_id;
  std::vector<std::string> compartments;
  std::vector<std::string> buckets;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--public-key") {
      public_key = read_file(value);
    } else if (flag == "--key-id") {
      key_id = value;
    } else if (flag == "--storage") {
      options.storage_dir = value;
    } else if (flag == "--compartment") {
      compartments.push_back(value);
    } else if (flag == "--bucket") {
      buckets.push_back(value);
    } else if (flag == "--tenancy") {
      options.tenancy = value;
    } else if (flag == "--import-ms") {
      options.import_duration = std::chrono::milliseconds(std::stoll(value));
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (public_key.empty() || key_id.empty()) {
    std::cerr << "usage: ocne-oci-test-server --public-key FILE --key-id TENANCY/USER/FINGERPRINT [--storage DIR] "
                 "[--compartment NAME]... [--bucket NAME]... [--import-ms N]\n";
    return 2;
  }
  ocne::test::oci::OciTestServer server(options);
  server.add_api_key(key_id, public_key);
  for (const auto& c : compartments) {
    server.add_compartment(options.tenancy, c);
  }
  for (const auto& b : buckets) {
    server.add_bucket(options.tenancy, b);
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  server.start();
  std::cout << "listening " << server.url() << std::endl;
  while (g_stop == 0) {
    ::pause();
  }
  server.stop();
  return 0;
}
