#include "tests/servers/kube/faults.hpp"

namespace ocne::test::kube {

void
FaultInjector::fail_next(int count, Fault fault, std::string method, std::string path_prefix)
{
  const std::lock_guard lock(m_mutex);
  m_rules.push_back({ std::move(method), std::move(path_prefix), std::move(fault), count, 0.0 });
}

void
FaultInjector::fail_randomly(double probability,
                             Fault fault,
                             std::string method,
                             std::string path_prefix,
                             std::uint64_t seed)
{
  const std::lock_guard lock(m_mutex);
  m_rng.seed(seed);
  m_rules.push_back({ std::move(method), std::move(path_prefix), std::move(fault), 0, probability });
}

void
FaultInjector::clear()
{
  const std::lock_guard lock(m_mutex);
  m_rules.clear();
}

int
FaultInjector::injected() const
{
  const std::lock_guard lock(m_mutex);
  return m_injected;
}

std::optional<Fault>
FaultInjector::pick(const std::string& method, const std::string& path)
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

} // namespace ocne::test::kube
