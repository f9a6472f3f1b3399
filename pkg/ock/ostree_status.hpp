#pragma once

// `ostree admin status` of an OCK node: its deployments, the first being
// the one the next boot takes, the booted one marked with '*'.
//
//   * ock 3b1e...09.0
//       Version: 1.33
//       origin refspec: ock:ock
//     ock 9f8e...21.0 (pending)
//       Version: 1.34

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::ock {

struct OstreeDeployment
{
  std::string osname;
  std::string commit;
  int serial = 0;
  bool booted = false;
  std::string state; // "pending", "rollback", "staged" or ""
};

struct OstreeStatus
{
  std::vector<OstreeDeployment> deployments; // in the tool's order: the first boots next
  const OstreeDeployment* booted() const;
  const OstreeDeployment* next_boot() const;
};

// invalid_input when no deployment line can be read or none is booted.
Result<OstreeStatus> parse_ostree_admin_status(std::string_view text);

} // namespace ocne::ock
