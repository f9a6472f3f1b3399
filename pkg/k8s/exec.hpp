#pragma once

// Running a command in a container (POST/GET pods/<name>/exec) over the
// Kubernetes WebSocket protocol: v5.channel.k8s.io, falling back to
// v4.channel.k8s.io when the server does not offer v5. Frames carry one
// channel byte: 0 stdin, 1 stdout, 2 stderr, 3 the final status (a
// metav1.Status with the exit code), 4 terminal resize; v5 closes stdin with
// a frame on channel 255.
//
// The WebSocket itself is Boost.Beast's, kept in exec.cpp behind this
// interface so no other file pays its compile time.

#include "pkg/core/error.hpp"
#include "pkg/k8s/kubeconfig.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::k8s {

struct ExecRequest
{
  std::string namespace_;
  std::string pod;
  std::string container; // empty: the pod's only container
  std::vector<std::string> command;
  bool stdin = false;
  bool tty = false;
  // Offered subprotocols, most preferred first (tests narrow it).
  std::vector<std::string> protocols = { "v5.channel.k8s.io", "v4.channel.k8s.io" };
};

struct ExecFrame
{
  int channel = 0; // 1 output, 2 errors
  std::string data;
};

class ExecSession
{
public:
  static Result<std::unique_ptr<ExecSession>> open(const ClusterAccess& access, const ExecRequest& request);
  ~ExecSession();
  ExecSession(const ExecSession&) = delete;
  ExecSession& operator=(const ExecSession&) = delete;

  // The subprotocol the server chose.
  const std::string& protocol() const;
  Status write_stdin(std::string_view data);
  // End of input (v5 only; with v4 the command sees end of input only when
  // the session closes).
  Status close_stdin();
  Status resize(int columns, int rows);
  // The next stdout/stderr frame, or nullopt once the command ended (then
  // exit_code() is set).
  Result<std::optional<ExecFrame>> read();
  std::optional<int> exit_code() const;
  // Interactive use: copies input_fd (-1: none) to stdin until its end
  // (then closes stdin), hands output frames to output(channel, data), sends
  // a resize whenever take_resize() has one, and ends the session early
  // when stop() says so. Returns the command's exit code.
  struct PumpIo
  {
    int input_fd = -1;
    std::function<void(int, std::string_view)> output;
    std::function<std::optional<std::pair<int, int>>()> take_resize;
    std::function<bool()> stop;
  };
  Result<int> pump(const PumpIo& io);

  // Ends the session (a close frame); safe to call more than once.
  void close();

  struct Impl; // exec.cpp

private:
  explicit ExecSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

struct ExecResult
{
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Runs a command to completion, feeding it input (when request.stdin).
Result<ExecResult> exec_collect(const ClusterAccess& access, const ExecRequest& request, std::string_view input = {});

// The exit code a final status (channel 3) reports: 0 for Success, the
// ExitCode cause for NonZeroExitCode; an error for any other failure.
Result<int> exit_code_from_status(std::string_view status_json);

} // namespace ocne::k8s
