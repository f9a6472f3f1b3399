#pragma once

// Whether a libguestfs appliance launch that failed is tried again with
// software emulation (TCG), and what is said about it. Decided on what
// happened (the accelerator QEMU was asked for, whether the appliance came
// up), never on error text: libguestfs's last error is usually its generic
// "guestfs_launch failed" whatever the cause. Pure functions, so the rules
// are tested without a 10 s appliance launch; guestfs_session.cpp runs the
// attempts.

#include "pkg/core/error.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::image {

enum class Accel { kvm, tcg };

// What libguestfs's direct backend starts QEMU with: KVM when TCG is not
// forced and /dev/kvm opens read-write (its own test), TCG otherwise.
Accel launch_accel(bool tcg_forced, bool kvm_openable);

// Whether a backend setting value means "on", as libguestfs reads booleans
// ("1", "true", "t", "yes", "y", "on", any case).
bool setting_is_true(std::string_view value);

struct LaunchAttempt
{
  Accel accel = Accel::kvm;
  bool launched = false;
  // Set when the appliance was stopped after this long without coming up.
  std::chrono::seconds stopped_after{ 0 };
  // libguestfs's errors during the attempt, in order.
  std::vector<std::string> errors;
  // The last line QEMU wrote about itself ("qemu-system-x86_64: ..."), if any.
  std::string qemu_said;
};

// Retry once with TCG when the appliance did not come up while KVM was in
// use (whatever the reason: QEMU aborted, the appliance hung, it crashed).
bool retry_with_tcg(const LaunchAttempt& attempt);

// What went wrong in one attempt, in one line: the specific errors
// (libguestfs's generic advice dropped), what QEMU said, and a stop.
std::string describe_attempt(const LaunchAttempt& attempt);

// The one line logged before the TCG retry.
std::string tcg_retry_notice(const LaunchAttempt& kvm_attempt);

// The error when no attempt launched; it names every attempt with its
// accelerator.
Error launch_failure(const std::vector<LaunchAttempt>& attempts);

// Picks QEMU's own messages ("<qemu binary>: ...") out of console output;
// returns the last one, or "".
std::string last_qemu_line(std::string_view console);

} // namespace ocne::image
