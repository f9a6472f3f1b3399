#pragma once

// Fault injection for the Kubernetes test server: its own kinds of fault
// (metav1.Status answers, resets), picked by the rules every test server
// shares (tests/support/fault_rules.hpp).

#include "tests/support/fault_rules.hpp"

#include <chrono>
#include <string>

namespace ocne::test::kube {

using ::ocne::test::FaultRules;

struct Fault
{
  enum class Kind {
    status,        // answer with `status` as a metav1.Status (and Retry-After when retry_after >= 0)
    reset,         // read the request, then close the connection without answering
    drop_mid_body, // send the headers and part of the real answer, then close
    slow,          // wait `delay`, then handle the request normally
  };
  Kind kind = Kind::status;
  int status = 503;
  int retry_after = -1;
  std::chrono::milliseconds delay{ 0 };
  std::string message = "injected fault";
};

using FaultInjector = FaultRules<Fault>;

} // namespace ocne::test::kube
