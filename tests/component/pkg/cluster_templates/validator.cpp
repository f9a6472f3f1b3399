#include "tests/component/pkg/cluster_templates/validator.hpp"

#include "pkg/core/process.hpp"
#include "tests/support/shared_dir.hpp"

#include <chrono>

namespace ocne::test {

std::optional<std::string>
python_with_jsonschema()
{
  // Debian's interpreter first: a python3 earlier on PATH (pyenv, venv) may
  // lack the Debian modules.
  for (const std::string candidate : { "/usr/bin/python3", "python3" }) {
    ProcessOptions o;
    o.argv = { candidate, "-c", "import jsonschema, yaml" };
    o.timeout = std::chrono::seconds(30);
    auto r = run_process(o);
    if (r && r->ok()) {
      return candidate;
    }
  }
  return std::nullopt;
}

Validation
validate_against_crds(const std::string& python,
                      const std::vector<std::filesystem::path>& files,
                      const std::vector<std::string>& allow_unknown)
{
  const auto here = source_dir() / "tests" / "component" / "pkg" / "cluster_templates";
  const auto crds = shared_path("crds");
  ProcessOptions o;
  o.argv = { python,      (here / "validate_crds.py").string(),
             "--crds",    (crds / "capi").string(),
             "--crds",    (crds / "oci").string(),
             "--crds",    (crds / "oxide").string(),
             "--overlay", (here / "oracle_capi_fork.yaml").string() };
  for (const auto& a : allow_unknown) {
    o.argv.push_back("--allow-unknown");
    o.argv.push_back(a);
  }
  for (const auto& f : files) {
    o.argv.push_back(f.string());
  }
  o.timeout = std::chrono::seconds(120);
  auto r = run_process(o);
  if (!r) {
    return { -1, r.error().message() };
  }
  return { r->exit_code, r->out + r->err };
}

} // namespace ocne::test
