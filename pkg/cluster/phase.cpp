#include "pkg/cluster/phase.hpp"

#include <array>
#include <utility>

namespace ocne::cluster {

namespace {

constexpr std::array<std::pair<Phase, std::string_view>, 4> k_names{ {
  { Phase::creating, "creating" },
  { Phase::running, "running" },
  { Phase::failed, "failed" },
  { Phase::deleting, "deleting" },
} };

} // namespace

std::string_view
to_string(Phase phase)
{
  for (const auto& [p, name] : k_names) {
    if (p == phase) {
      return name;
    }
  }
  return "";
}

Phase
phase_of(const ClusterRecord& record)
{
  const auto it = record.state.find(std::string(k_state_phase));
  if (it == record.state.end()) {
    return Phase::none;
  }
  for (const auto& [p, name] : k_names) {
    if (name == it->second) {
      return p;
    }
  }
  return Phase::none;
}

} // namespace ocne::cluster
