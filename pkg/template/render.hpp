#pragma once

// Renders a YAML template written in clusterctl's variable syntax
// (see reference.hpp) with values that are written safely for YAML (see
// value.hpp): a value is quoted or escaped for the place it lands, so a ":",
// "#", quote or line break in it can never change the document's structure,
// and a node value is emitted as a YAML block or flow collection. After
// rendering, the result is parsed and its structure compared with the
// template's own; any difference is an error naming the variable and line.
//
// Errors name the template (RenderOptions::source) and the line:
//   "capi-oci.yaml:12: malformed variable reference "${FOO": no closing '}' on this line"
//   "capi-oci.yaml: no value for required variables: CLUSTER_NAME (lines 5, 9), OCI_IMAGE_ID (line 80)"

#include "pkg/core/error.hpp"
#include "pkg/template/reference.hpp"
#include "pkg/template/value.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::tmpl {

struct RenderOptions
{
  std::string source = "template"; // the template's name in messages
};

Result<std::string> render(std::string_view text, const Variables& variables, const RenderOptions& options = {});

// The variables a template uses (like `clusterctl generate yaml --list-variables`).
Result<std::vector<VariableInfo>> template_variables(std::string_view text, const RenderOptions& options = {});

} // namespace ocne::tmpl
