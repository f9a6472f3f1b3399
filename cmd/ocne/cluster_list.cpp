#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "pkg/config/yaml_path.hpp"
#include "pkg/core/cluster_cache.hpp"

#include <nlohmann/json.hpp>

namespace ocne::cli {

namespace {

struct ListOptions
{
  std::string output = "text";
};

void
run_list(const ListOptions& o, const Context& ctx)
{
  auto cache = ClusterCache::load(ctx.state.clusters_file());
  if (!cache) {
    throw Fatal(cache.error());
  }
  if (o.output == "json") {
    auto list = nlohmann::json::array();
    for (const auto& [name, record] : cache->clusters()) {
      auto provider = config::yaml_select(record.config_yaml, "provider");
      list.push_back({ { "name", name },
                       { "provider", provider ? *provider : std::string() },
                       { "kubeconfig", record.kubeconfig } });
    }
    println(list.dump(2));
    return;
  }
  for (const auto& [name, record] : cache->clusters()) {
    println(name);
  }
}

} // namespace

void
add_cluster_list(CLI::App& cluster, Context& ctx)
{
  auto* cmd = cluster.add_subcommand("list", "List the clusters ocne knows (one name per line)");
  cmd->alias("ls");
  auto o = std::make_shared<ListOptions>();
  cmd->add_option("-o,--output", o->output, "Output format: text or json" + default_note("text"))
    ->check(CLI::IsMember({ "text", "json" }));
  cmd->callback([o, &ctx] { run_list(*o, ctx); });
}

} // namespace ocne::cli
