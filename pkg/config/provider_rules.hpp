#pragma once

// What a cloud adds to loading the configuration: its computed defaults and
// the checks of its values. pkg/config knows no cloud; the caller hands
// load() the rules of every cloud it knows (LoadOptions::provider_rules; cmd/
// takes them from providers/registry), and the names of those rules are the
// values `provider:` may take.

#include "pkg/config/load.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::config {

// Collects every problem of a load, each naming where its value came from.
class Checker
{
public:
  explicit Checker(const LoadedConfig& loaded);

  // Records a problem with a key ("<subject> <what>").
  void fail(std::string_view key, const std::string& what);
  // Records the status's message as a problem with the key, if it failed.
  void check(std::string_view key, const Status& status);
  // All problems, one per line, as one invalid_input error.
  Status result() const;

private:
  const LoadedConfig& m_loaded;
  std::vector<std::string> m_errors;
};

// Marks a key's value as computed by the load (for origins and messages).
void mark_computed(LoadedConfig& loaded, std::string_view key);

class ProviderRules
{
public:
  virtual ~ProviderRules();

  // The value of `provider:` that selects this cloud.
  virtual std::string_view name() const = 0;

  // Defaults that depend on other values, at every load whatever the
  // provider (values of other clouds are kept in the cache and shown).
  virtual void
  computed_defaults(LoadedConfig& /*loaded*/) const
  {
  }
  // Checks of the cloud's values at every load, whatever the provider. Every
  // cloud's check_values runs before any cloud's check_late, in the order of
  // LoadOptions::provider_rules (ocne lists the namespaces last).
  virtual void
  check_values(const LoadedConfig& /*loaded*/, Checker& /*checker*/) const
  {
  }
  virtual void
  check_late(const LoadedConfig& /*loaded*/, Checker& /*checker*/) const
  {
  }
  // Checks when `provider:` names this cloud, for what the command is about
  // to do (validate_for).
  virtual void
  check_for(const LoadedConfig& /*loaded*/, Purpose /*purpose*/, Checker& /*checker*/) const
  {
  }
};

} // namespace ocne::config
