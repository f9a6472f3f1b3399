#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"

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
  const auto loaded = load_config(ctx, o.config_file, o.flags, "oci");
  throw_on_error(config::validate_for(loaded, config::Purpose::template_));
  not_available("cluster template", "the Cluster API templates are not built yet");
}

} // namespace

void
add_cluster_template(CLI::App& cluster, Context& ctx)
{
  auto* cmd = cluster.add_subcommand("template", "Print the Cluster API resources of a cluster, ready for kubectl apply");
  auto o = std::make_shared<TemplateOptions>();
  cmd->add_option("-c,--config", o->config_file, "Cluster configuration file" + default_note(""));
  cmd->add_option("-o,--output", o->output, "Write the resources to this file instead of stdout" + default_note("stdout"));
  o->flags.add(*cmd, "-k,--kubeconfig", "kubeconfig", "Kubeconfig (accepted for compatibility with ocne, unused)");
  o->flags.add(*cmd, "-P,--provider", "provider", "Provider: oci or oxide", "the file's provider, else oci");
  cmd->callback([o, &ctx] { run_template(*o, ctx); });
}

} // namespace ocne::cli
