#include "pkg/cluster_templates/cluster_template.hpp"

#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "providers/registry/registry.hpp"

namespace ocne::cli {

namespace {

// The cloud's session, for a cloud that goes through Cluster API; else the
// error ocne gives ("templates not implemented for provider libvirt").
std::unique_ptr<providers::capi::CloudSession>
open_session(Context& ctx, const config::LoadedConfig& loaded)
{
  const auto& name = loaded.config.provider.get();
  const auto* cloud = providers::find(name);
  if (cloud == nullptr || cloud->lifecycle() != providers::Lifecycle::cluster_api) {
    std::vector<std::string> capi;
    for (const auto* p : providers::all()) {
      if (p->lifecycle() == providers::Lifecycle::cluster_api) {
        capi.emplace_back(p->name());
      }
    }
    throw_on_error(make_error(ErrorKind::invalid_input,
                              "templates not implemented for provider {} (use {})",
                              name.empty() ? std::string("''") : name,
                              str::join(capi, " or ")));
  }
  providers::ProviderContext context{ loaded, ctx.env, ctx.state, ctx.progress_sink(), {} };
  return value_or_throw(cloud->open(context));
}

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
  const auto session = open_session(ctx, loaded);
  // The session's lookups ask the cloud when credentials are there; without
  // them a value that needs a lookup becomes a placeholder with its reason.
  const auto cloud = session->cloud_template();
  const auto rendered = value_or_throw(cluster_templates::render_cluster_template(loaded.config, *cloud));
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
