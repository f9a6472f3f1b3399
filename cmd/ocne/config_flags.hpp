#pragma once

// Command-line options that feed configuration keys. Their text goes through
// config::set_from_text, so a flag and a file line are parsed and checked the
// same way and errors name the flag.

#include "cmd/ocne/context.hpp"
#include "pkg/config/load.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ocne::cli {

class ConfigFlags
{
public:
  // Adds an option ("-n,--control-plane-nodes") for a configuration key. The
  // help text gets "(default: X)" from the key table unless default_text says
  // otherwise.
  CLI::Option* add(CLI::App& app,
                   const std::string& names,
                   std::string_view key,
                   const std::string& help,
                   std::optional<std::string> default_text = std::nullopt);

  // The layer of values given on the command line. Throws Fatal listing
  // every bad value.
  config::Layer layer() const;

private:
  struct Binding
  {
    std::string key;
    std::string flag;
    std::shared_ptr<std::string> value;
    CLI::Option* option;
  };
  std::vector<Binding> m_bindings;
};

// "(default: X)" for help texts; "none" for an empty default.
std::string default_note(std::string_view value);

// What config::load needs from cmd/: the provider when nothing names one
// and every cloud's rules (providers/registry).
config::LoadOptions load_options(const std::string& default_provider);

// Loads and validates the configuration for a command: defaults file, the -c
// file, flags. Prints warnings; throws Fatal naming file:line or flag.
config::LoadedConfig load_config(const Context& ctx,
                                 const std::string& cluster_file,
                                 const ConfigFlags& flags,
                                 const std::string& default_provider);
config::LoadedConfig load_config(const Context& ctx,
                                 const std::string& cluster_file,
                                 config::Layer flag_layer,
                                 const std::string& default_provider);

} // namespace ocne::cli
