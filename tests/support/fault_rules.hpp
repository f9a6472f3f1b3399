#pragma once

// Which requests get an injected fault: the next N that match, or each one
// with a seeded probability. Header-only and free of cpp-httplib, so the
// shared HTTP test server and the static Kubernetes test server (which
// cannot link cpp-httplib) use the same rules with their own Fault types.

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ocne::test {

template<typename Fault>
class FaultRules
{
public:
  // The next `count` requests that match method (empty = any) and whose path
  // starts with path_prefix get the fault.
  void
  fail_next(int count, Fault fault, std::string method = "", std::string path_prefix = "")
  {
    const std::lock_guard lock(m_mutex);
    m_rules.push_back({ std::move(method), std::move(path_prefix), std::move(fault), count, 0.0 });
  }

  // Each matching request gets the fault with this probability (seeded, so
  // runs repeat).
  void
  fail_randomly(double probability,
                Fault fault,
                std::string method = "",
                std::string path_prefix = "",
                std::uint64_t seed = 1)
  {
    const std::lock_guard lock(m_mutex);
    m_rng.seed(seed);
    m_rules.push_back({ std::move(method), std::move(path_prefix), std::move(fault), 0, probability });
  }

  void
  clear()
  {
    const std::lock_guard lock(m_mutex);
    m_rules.clear();
  }

  // How many faults were injected so far.
  int
  injected() const
  {
    const std::lock_guard lock(m_mutex);
    return m_injected;
  }

  // For servers: the fault this request gets, if any.
  std::optional<Fault>
  pick(const std::string& method, const std::string& path)
  {
    const std::lock_guard lock(m_mutex);
    for (auto& rule : m_rules) {
      if ((!rule.method.empty() && rule.method != method) || path.rfind(rule.prefix, 0) != 0) {
        continue;
      }
      if (rule.remaining > 0) {
        --rule.remaining;
        ++m_injected;
        return rule.fault;
      }
      if (rule.probability > 0.0 && std::uniform_real_distribution<double>(0.0, 1.0)(m_rng) < rule.probability) {
        ++m_injected;
        return rule.fault;
      }
    }
    return std::nullopt;
  }

private:
  struct Rule
  {
    std::string method;
    std::string prefix;
    Fault fault;
    int remaining = 0;        // for fail_next
    double probability = 0.0; // for fail_randomly
  };
  mutable std::mutex m_mutex;
  std::vector<Rule> m_rules;
  std::mt19937_64 m_rng{ 1 };
  int m_injected = 0;
};

} // namespace ocne::test
