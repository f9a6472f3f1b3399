#include "pkg/addons/addon.hpp"

#include "pkg/core/embedded.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/state_dir.hpp"

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

} // namespace ocne::addons
