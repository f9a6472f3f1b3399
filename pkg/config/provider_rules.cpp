#include "pkg/config/provider_rules.hpp"

#include "pkg/core/strings.hpp"

#include <fmt/format.h>

namespace ocne::config {

Checker::Checker(const LoadedConfig& loaded) : m_loaded(loaded)
{
}

void
Checker::fail(std::string_view key, const std::string& what)
{
  m_errors.push_back(fmt::format("{} {}", m_loaded.subject(key), what));
}

void
Checker::check(std::string_view key, const Status& status)
{
  if (!status) {
    fail(key, ": " + status.error().message());
  }
}

Status
Checker::result() const
{
  if (m_errors.empty()) {
    return {};
  }
  return make_error(ErrorKind::invalid_input, "{}", str::join(m_errors, "\n"));
}

void
mark_computed(LoadedConfig& loaded, std::string_view key)
{
  loaded.origins[std::string(key)] = Origin{ Origin::Source::computed, "", 0, "" };
}

ProviderRules::~ProviderRules() = default;

} // namespace ocne::config
