#include "pkg/addons/addon.hpp"

#include "pkg/core/embedded.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/state_dir.hpp"
#include "pkg/k8s/yaml.hpp"
#include "pkg/template/render.hpp"

#include <system_error>

namespace ocne::addons {

Result<TemplateText>
addon_template(const std::string& name, const Environment& env)
{
  const auto override_path = StateDir::from_env(env).root() / "templates" / "addons" / (name + ".yaml");
  std::error_code ec;
  if (std::filesystem::is_regular_file(override_path, ec)) {
    OCNE_TRY_ASSIGN(auto text, fs::read_file(override_path));
    return TemplateText{ std::move(text), override_path.string() };
  }
  const auto built_in = embedded::find("templates/addons/" + name + ".yaml");
  if (!built_in) {
    return make_error(ErrorKind::internal, "no built-in template for add-on {}", name);
  }
  return TemplateText{ std::string(*built_in), name + ".yaml (built in)" };
}

Result<Addon>
render_addon(const std::string& name,
             const std::string& namespace_,
             const tmpl::Variables& vars,
             const Environment& env)
{
  OCNE_TRY_ASSIGN(auto text, addon_template(name, env));
  OCNE_TRY_ASSIGN(auto rendered, tmpl::render(text.text, vars, { .source = text.source }));
  OCNE_TRY_ASSIGN(auto objects, k8s::parse_yaml_stream(rendered, text.source));
  return Addon{ name, namespace_, std::move(objects), text.source };
}

} // namespace ocne::addons
