#pragma once

// Add-ons every cluster ocne starts needs before its nodes are Ready: the
// CNI (flannel) and, on a cloud, the cloud controller manager with its
// Secret (docs/addons.md). Each add-on is a template compiled into the
// binary (templates/addons/<name>.yaml) and overridable by a file of the
// same name in $OCNE_HOME/templates/addons/, rendered with the ${VAR} engine
// of pkg/template into objects for server-side apply.

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ocne::addons {

struct Addon
{
  std::string name;       // "flannel": "Installing flannel into kube-flannel"
  std::string namespace_; // where its workloads run
  std::vector<nlohmann::json> objects;
  std::string source; // "flannel.yaml (built in)" or the override's path
};

// The template text for an add-on: the override when there is one.
struct TemplateText
{
  std::string text;
  std::string source;
};
Result<TemplateText> addon_template(const std::string& name, const Environment& env);

} // namespace ocne::addons

namespace ocne::tmpl {
class Variables;
}

namespace ocne::addons {

// The add-on's template rendered with vars and parsed into objects.
Result<Addon> render_addon(const std::string& name,
                           const std::string& namespace_,
                           const tmpl::Variables& vars,
                           const Environment& env);

} // namespace ocne::addons
