#pragma once

// libvirt connection URIs as ocne accepts them: qemu:///session (the
// default), qemu:///system, qemu+ssh://user@host[:port]/system, test:///...,
// and the "user@host" shorthand for qemu+ssh://user@host/system.

#include "pkg/core/error.hpp"

#include <string>
#include <string_view>

namespace ocne::libvirt {

inline constexpr std::string_view k_default_uri = "qemu:///session";

struct Uri
{
  std::string text;      // the full, normalised URI
  std::string driver;    // "qemu", "test"
  std::string transport; // "", "ssh", "tcp", "tls", "unix", "libssh", ...
  std::string user;
  std::string host;
  unsigned port = 0;
  std::string path;  // "/system", "/session", "/default"
  std::string query; // after '?', e.g. "socket=/run/x.sock"

  // No host, or the loopback names: the daemon runs on this machine.
  bool is_local() const;
  // The value of a query parameter ("" when absent).
  std::string query_param(std::string_view name) const;
};

// "" -> qemu:///session; "user@host" or "host" -> qemu+ssh://.../system;
// anything with "://" is kept. Errors name the text.
Result<Uri> parse_uri(std::string_view text);

// How to get a daemon listening for this URI, for the error when connecting
// fails ("" when there is nothing useful to say).
std::string start_hint(const Uri& uri);

} // namespace ocne::libvirt
