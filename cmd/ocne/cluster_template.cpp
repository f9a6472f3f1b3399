#include "pkg/cluster_templates/cluster_template.hpp"

#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/template_resolver.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "providers/registry/registry.hpp"

namespace ocne::cli {

namespace {

struct TemplateOptions
{
  std::string config_file;
  std::string output;
  ConfigFlags flags;
};

void
run_template(const TemplateOptions& o, Context& ctx)
{
  // The provider comes from -P when given, else the file, else oci.
  const auto loaded = load_config(ctx, o.config_file, o.flags, providers::default_for(providers::Command::template_));
  throw_on_error(config::validate_for(loaded, config::Purpose::template_));
  const auto provider = value_or_throw(cluster_templates::parse_provider(loaded.config.provider.get()));
  auto resolver = make_template_resolver(ctx, loaded);
  const auto rendered = value_or_throw(cluster_templates::render_cluster_template(loaded.config, provider, *resolver));
  for (const auto& p : rendered.placeholders) {
    log::warn("placeholder {}", p);
  }
  for (const auto& w : rendered.warnings) {
    log::warn("{}", w);
  }
  if (o.output.empty()) {
    print(rendered.yaml);
    return;
  }
  const auto path = fs::resolve_path(o.output, ctx.env.cwd(), ctx.env.home());
  throw_on_error(fs::write_file_atomic(path, rendered.yaml).map_error([&](Error e) {
    return std::move(e).with_context(fmt::format("--output {}", o.output));
  }));
}

} // namespace

void
add_cluster_template(CLI::App& cluster, Context& ctx)
{
  auto* cmd =
    cluster.add_subcommand("template", "Print the Cluster API resources of a cluster, ready for kubectl apply");
  auto o = std::make_shared<TemplateOptions>();
  cmd->add_option("-c,--config", o->config_file, "Cluster configuration file" + default_note(""));
  cmd->add_option(
    "-o,--output", o->output, "Write the resources to this file instead of stdout" + default_note("stdout"));
  o->flags.add(*cmd, "-k,--kubeconfig", "kubeconfig", "Kubeconfig (accepted for compatibility with ocne, unused)");
  o->flags.add(*cmd, "-P,--provider", "provider", "Provider: oci or oxide", "the file's provider, else oci");
  cmd->callback([o, &ctx] { run_template(*o, ctx); });
}

} // namespace ocne::cli
