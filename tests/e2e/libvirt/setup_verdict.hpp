#pragma once

// What a failed step of the real-daemon setup means for the tests: a
// capability that is genuinely absent here (exit 77 from the scripts: not
// root, a tool or package missing, namespaces refused) skips and names it;
// anything else is a broken setup, which fails with its output under
// CI=true and skips (saying that CI would fail) elsewhere.

#include "pkg/core/error.hpp"
#include "pkg/core/process.hpp"

#include <string>

namespace ocne::test {

enum class SetupVerdict {
  ok,
  skip,
  fail,
};

struct SetupOutcome
{
  SetupVerdict verdict = SetupVerdict::ok;
  std::string reason; // empty when ok
};

// True when the environment has CI=true (what .ci/run and most CI systems set).
bool running_in_ci();

// step: what ran ("build-test-image.sh"); ci: running_in_ci().
SetupOutcome judge_setup_step(const std::string& step, const Result<ProcessResult>& result, bool ci);

// A setup failure that is not a script (e.g. joining the daemon's network
// namespace): fails under CI, skips elsewhere.
SetupOutcome setup_broken(const std::string& reason, bool ci);

} // namespace ocne::test
