#pragma once

// Fault injection for the Kubernetes test server, with the same shape as
// tests/support/http_server.hpp's (which needs cpp-httplib, which the
// static standalone server cannot link): error statuses with Retry-After,
// connections reset before the answer or dropped mid-body, slow answers.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ocne::test::kube {

struct Fault
{
  enum class Kind
  {
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

class FaultInjector
{
public:
  // The next `count` requests whose method matches (empty = any) and whose
  // path starts with path_prefix get the fault.
  void fail_next(int count, Fault fault, std::string method = "", std::string path_prefix = "");
  // Each matching request gets the fault with this probability (seeded).
  void fail_randomly(double probability,
                     Fault fault,
                     std::string method = "",
                     std::string path_prefix = "",
                     std::uint64_t seed = 1);
  void clear();
  int injected() const;

  // For the server: the fault this request gets, if any.
  std::optional<Fault> pick(const std::string& method, const std::string& path);

private:
  struct Rule
  {
    std::string method;
    std::string prefix;
    Fault fault;
    int remaining = 0;
    double probability = 0.0;
  };
  mutable std::mutex m_mutex;
  std::vector<Rule> m_rules;
  std::mt19937_64 m_rng{ 1 };
  int m_injected = 0;
};

} // namespace ocne::test::kube
