#include "pkg/image/appliance_launch.hpp"

#include "pkg/core/strings.hpp"

#include <algorithm>

namespace ocne::image {

namespace {

std::string_view
accel_name(Accel accel)
{
  return accel == Accel::kvm ? "with KVM" : "with software emulation (TCG)";
}

// libguestfs's "guestfs_launch failed. This usually means ..." says only
// that the launch failed, which the message around it says already.
bool
is_generic(std::string_view line)
{
  return str::starts_with(line, "guestfs_launch failed");
}

std::string
first_line(std::string_view text)
{
  text = str::trim(text);
  return std::string(str::trim(text.substr(0, text.find('\n'))));
}

} // namespace

Accel
launch_accel(bool tcg_forced, bool kvm_openable)
{
  return !tcg_forced && kvm_openable ? Accel::kvm : Accel::tcg;
}

bool
setting_is_true(std::string_view value)
{
  const auto v = str::to_lower(str::trim(value));
  return v == "1" || v == "true" || v == "t" || v == "yes" || v == "y" || v == "on";
}

bool
retry_with_tcg(const LaunchAttempt& attempt)
{
  return !attempt.launched && attempt.accel == Accel::kvm;
}

std::string
describe_attempt(const LaunchAttempt& attempt)
{
  std::vector<std::string> parts;
  if (attempt.stopped_after.count() > 0) {
    parts.push_back(
      fmt::format("the appliance did not come up within {} s and was stopped", attempt.stopped_after.count()));
  }
  for (const auto& e : attempt.errors) {
    auto line = first_line(e);
    // "... unexpectedly." reads better without its stop inside a list.
    if (str::ends_with(line, ".")) {
      line.pop_back();
    }
    if (!line.empty() && !is_generic(line) && std::find(parts.begin(), parts.end(), line) == parts.end()) {
      parts.push_back(std::move(line));
    }
  }
  if (!attempt.qemu_said.empty()) {
    parts.push_back(fmt::format("QEMU said: {}", first_line(attempt.qemu_said)));
  }
  if (parts.empty()) {
    parts.push_back(attempt.launched ? "started" : "the appliance failed to start or crashed");
  }
  return str::join(parts, "; ");
}

// libguestfs reads it itself; ocne sees its force_tcg on the handle.
constexpr const char* k_backend_settings = "LIBGUESTFS_BACKEND_SETTINGS";

std::string
tcg_retry_notice(const LaunchAttempt& kvm_attempt)
{
  return fmt::format("the libguestfs appliance did not start with KVM ({}); retrying once with software emulation "
                     "(TCG), which is slower. Set {}=force_tcg to skip KVM on this host",
                     describe_attempt(kvm_attempt),
                     k_backend_settings);
}

Error
launch_failure(const std::vector<LaunchAttempt>& attempts)
{
  std::vector<std::string> parts;
  for (const auto& a : attempts) {
    parts.push_back(fmt::format("{}: {}", accel_name(a.accel), describe_attempt(a)));
  }
  return Error(ErrorKind::unavailable,
               fmt::format("cannot start the libguestfs appliance {} (run libguestfs-test-tool to see why)",
                           str::join(parts, "; then ")));
}

std::string
last_qemu_line(std::string_view console)
{
  std::string last;
  for (const auto& raw : str::split(console, '\n')) {
    const auto line = str::trim(raw);
    const auto colon = line.find(": ");
    if (!str::starts_with(line, "qemu") || colon == std::string_view::npos ||
        line.substr(0, colon).find(' ') != std::string_view::npos) {
      continue;
    }
    last = std::string(line);
  }
  return last;
}

} // namespace ocne::image
