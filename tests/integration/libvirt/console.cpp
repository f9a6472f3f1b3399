#include "tests/integration/libvirt/console.hpp"

#include "pkg/core/strings.hpp"

namespace ocne::test {

Result<std::map<std::string, std::string>>
read_node_report(const ocne::libvirt::Domain& domain, std::chrono::milliseconds timeout)
{
  OCNE_TRY_ASSIGN(auto console, domain.open_console());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  while (std::chrono::steady_clock::now() < deadline) {
    OCNE_TRY_ASSIGN(auto chunk, console.receive_for(std::chrono::milliseconds(500)));
    seen += chunk;
    const auto at = seen.find("OCNE-FAKE-NODE ");
    if (at == std::string::npos) {
      continue;
    }
    const auto end = seen.find('\n', at);
    if (end == std::string::npos) {
      continue;
    }
    std::map<std::string, std::string> fields;
    for (const auto& item : str::split_trimmed(seen.substr(at + 15, end - at - 15), ' ')) {
      const auto eq = item.find('=');
      if (eq != std::string::npos) {
        fields[item.substr(0, eq)] = std::string(str::trim(item.substr(eq + 1)));
      }
    }
    console.abort();
    return fields;
  }
  console.abort();
  return make_error(ErrorKind::timeout, "no fake-node report from {} within the timeout; console tail: {}",
                    domain.name(), seen.size() > 400 ? seen.substr(seen.size() - 400) : seen);
}

} // namespace ocne::test
