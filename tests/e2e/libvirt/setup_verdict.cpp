#include "tests/e2e/libvirt/setup_verdict.hpp"

#include "pkg/core/strings.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

namespace ocne::test {

namespace {

// The scripts' "cannot run here" exit status (as automake's test driver).
constexpr int k_absent_capability = 77;

std::string
last_line(const std::string& text)
{
  auto lines = str::split_trimmed(text, '\n');
  return lines.empty() ? "" : lines.back();
}

} // namespace

bool
running_in_ci()
{
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

SetupOutcome
setup_broken(const std::string& reason, bool ci)
{
  if (ci) {
    return { SetupVerdict::fail, reason };
  }
  return { SetupVerdict::skip, "broken setup (this fails under CI=true): " + reason };
}

SetupOutcome
judge_setup_step(const std::string& step, const Result<ProcessResult>& result, bool ci)
{
  if (!result) {
    return setup_broken(fmt::format("cannot run {}: {}", step, result.error().message()), ci);
  }
  if (result->ok()) {
    return {};
  }
  if (result->exit_code == k_absent_capability) {
    return { SetupVerdict::skip, fmt::format("absent capability ({}): {}", step, last_line(result->err)) };
  }
  std::string how;
  if (result->timed_out) {
    how = "timed out";
  } else if (result->exit_code == -1) {
    how = fmt::format("was killed by signal {}", result->signal);
  } else {
    how = fmt::format("failed with exit status {}", result->exit_code);
  }
  auto reason = fmt::format("{} {}", step, how);
  if (!result->err.empty()) {
    reason += "; stderr:\n" + result->err;
  }
  if (!result->out.empty()) {
    reason += (reason.back() == '\n' ? "" : "\n") + std::string("stdout:\n") + result->out;
  }
  return setup_broken(reason, ci);
}

} // namespace ocne::test
