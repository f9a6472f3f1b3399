#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "pkg/config/yaml_path.hpp"
#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/strings.hpp"

namespace ocne::cli {

namespace {

struct ShowOptions
{
  std::string name = "ocne";
  bool all = false;
  std::string field = "kubeconfig";
};

void
run_show(const ShowOptions& o, const Context& ctx)
{
  auto cache = ClusterCache::load(ctx.state.clusters_file());
  if (!cache) {
    throw Fatal(cache.error());
  }
  const auto* record = cache->find(o.name);
  if (record == nullptr) {
    std::vector<std::string> names;
    for (const auto& [name, r] : cache->clusters()) {
      names.push_back(name);
    }
    throw Fatal(Error(ErrorKind::not_found,
                      fmt::format("cluster '{}' does not exist (known clusters: {})",
                                  o.name,
                                  names.empty() ? std::string("none") : str::join(names, ", "))));
  }
  const auto yaml = value_or_throw(ClusterCache::record_yaml(*record));
  if (o.all) {
    print(yaml);
    return;
  }
  auto value = config::yaml_select(yaml, o.field);
  if (!value) {
    throw Fatal(value.error().with_context(fmt::format("cluster '{}'", o.name)));
  }
  println(*value);
}

} // namespace

void
add_cluster_show(CLI::App& cluster, Context& ctx)
{
  auto* cmd =
    cluster.add_subcommand("show", "Show what ocne recorded about a cluster (by default its kubeconfig path)");
  auto o = std::make_shared<ShowOptions>();
  cmd->add_option("-C,--cluster-name", o->name, "Cluster name" + default_note("ocne"));
  cmd->add_flag("-a,--all", o->all, "Print the whole record as YAML" + default_note("false"));
  cmd->add_option(
    "-f,--field", o->field, "Dotted path of one field, e.g. config.provider" + default_note("kubeconfig"));
  cmd->callback([o, &ctx] { run_show(*o, ctx); });
}

} // namespace ocne::cli
