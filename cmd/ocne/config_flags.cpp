#include "cmd/ocne/config_flags.hpp"

#include "pkg/config/schema.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "providers/registry/registry.hpp"

namespace ocne::cli {

std::string
default_note(std::string_view value)
{
  return fmt::format(" (default: {})", value.empty() ? "none" : value);
}

CLI::Option*
ConfigFlags::add(CLI::App& app,
                 const std::string& names,
                 std::string_view key,
                 const std::string& help,
                 std::optional<std::string> default_text)
{
  const auto* field = config::find_field(key);
  if (field == nullptr) {
    throw std::logic_error("unknown configuration key for a flag: " + std::string(key));
  }
  auto value = std::make_shared<std::string>();
  const auto shown = default_text ? *default_text : std::string(field->default_value);
  auto* option = app.add_option(names, *value, help + default_note(shown));
  option->type_name(field->kind == config::Kind::integer   ? "INT"
                    : field->kind == config::Kind::boolean ? "BOOL"
                                                           : "TEXT");
  // The long name (or the short one when there is none) names the flag in errors.
  std::string flag;
  for (const auto& part : str::split(names, ',')) {
    if (str::starts_with(part, "--")) {
      flag = part;
    } else if (flag.empty()) {
      flag = part;
    }
  }
  m_bindings.push_back({ std::string(key), flag, value, option });
  return option;
}

config::Layer
ConfigFlags::layer() const
{
  config::Layer layer;
  std::vector<std::string> errors;
  for (const auto& b : m_bindings) {
    if (b.option->count() == 0) {
      continue;
    }
    auto st = config::set_from_text(layer, b.key, *b.value, config::flag_origin(b.flag));
    if (!st) {
      errors.push_back(st.error().message());
    }
  }
  if (!errors.empty()) {
    throw Fatal(Error(ErrorKind::invalid_input, str::join(errors, "\n")));
  }
  return layer;
}

config::LoadOptions
load_options(const std::string& default_provider)
{
  config::LoadOptions options;
  options.default_provider = default_provider;
  options.provider_rules = providers::config_rules();
  return options;
}

config::LoadedConfig
load_config(const Context& ctx,
            const std::string& cluster_file,
            const ConfigFlags& flags,
            const std::string& default_provider)
{
  return load_config(ctx, cluster_file, flags.layer(), default_provider);
}

config::LoadedConfig
load_config(const Context& ctx,
            const std::string& cluster_file,
            config::Layer flag_layer,
            const std::string& default_provider)
{
  auto options = load_options(default_provider);
  if (!cluster_file.empty()) {
    options.cluster_file = cluster_file;
  }
  options.flags = std::move(flag_layer);
  auto loaded = config::load(ctx.env, options);
  if (!loaded) {
    throw Fatal(loaded.error());
  }
  for (const auto& w : loaded->warnings) {
    log::warn("{}", w);
  }
  return std::move(*loaded);
}

} // namespace ocne::cli
