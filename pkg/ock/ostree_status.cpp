#include "pkg/ock/ostree_status.hpp"

#include "pkg/core/strings.hpp"

#include <regex>

namespace ocne::ock {

const OstreeDeployment*
OstreeStatus::booted() const
{
  for (const auto& d : deployments) {
    if (d.booted) {
      return &d;
    }
  }
  return nullptr;
}

const OstreeDeployment*
OstreeStatus::next_boot() const
{
  return deployments.empty() ? nullptr : &deployments.front();
}

Result<OstreeStatus>
parse_ostree_admin_status(std::string_view text)
{
  // "* ock <64 hex>.<serial>" or "  ock <64 hex>.<serial> (pending)"
  static const std::regex line_re(R"(^([* ]) (\S+) ([0-9a-f]{64})\.([0-9]+)(?: \((\w+)\))?\s*$)");
  OstreeStatus status;
  for (const auto& line : str::split(text, '\n')) {
    std::smatch m;
    if (!std::regex_match(line, m, line_re)) {
      continue;
    }
    OstreeDeployment d;
    d.booted = m[1] == "*";
    d.osname = m[2];
    d.commit = m[3];
    d.serial = std::stoi(m[4]);
    d.state = m[5];
    status.deployments.push_back(std::move(d));
  }
  if (status.deployments.empty()) {
    return make_error(ErrorKind::invalid_input, "ostree admin status: no deployment in {}", str::quote(text));
  }
  if (status.booted() == nullptr) {
    return make_error(ErrorKind::invalid_input, "ostree admin status: no booted deployment in {}", str::quote(text));
  }
  return status;
}

} // namespace ocne::ock
