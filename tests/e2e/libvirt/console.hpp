#pragma once

// Reads what a test VM's fake node reports on its serial console:
//   OCNE-FAKE-NODE hostname=<h> action=<a> nic=<n> sha256=<s> ips=<...>

#include "pkg/core/error.hpp"
#include "pkg/libvirt/domain.hpp"

#include <chrono>
#include <map>
#include <string>

namespace ocne::test {

// Waits up to timeout for the first complete report and returns its fields.
Result<std::map<std::string, std::string>> read_node_report(const ocne::libvirt::Domain& domain,
                                                            std::chrono::milliseconds timeout);

} // namespace ocne::test
