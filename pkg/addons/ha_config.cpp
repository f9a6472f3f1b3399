#include "pkg/addons/ha_config.hpp"

#include "pkg/template/value.hpp"

namespace ocne::addons {

Result<Addon>
render_ha_config(const HaConfigOptions& options, const Environment& env)
{
  tmpl::Variables vars;
  vars.set("HA_MONITOR_IMAGE", tmpl::Value::string(options.image));
  OCNE_TRY_ASSIGN(auto addon, render_addon("ha-config", "ocne-system", vars, env));
  return addon;
}

} // namespace ocne::addons
