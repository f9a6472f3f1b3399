#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/diag_flags.hpp"
#include "pkg/diag/info.hpp"

#include <nlohmann/json.hpp>

namespace ocne::cli {

namespace {

struct InfoOptions
{
  diag::Target target;
  std::vector<std::string> nodes;
  bool skip_nodes = false;
  std::string output = "text";
};

void
run_info(const InfoOptions& o, const Context& ctx)
{
  auto client = target_client(o.target, ctx);
  diag::InfoOptions options{ .nodes = o.nodes, .node_files = !o.skip_nodes };
  auto management = diag::management_of(o.target, ctx.env, ctx.state);
  if (!management) {
    throw Fatal(management.error());
  }
  std::unique_ptr<k8s::Client> management_client;
  if (*management) {
    management_client = target_client({ .kubeconfig = (*management)->kubeconfig }, ctx);
    options.management = management_client.get();
    options.capi_namespace = (*management)->namespace_;
    options.capi_cluster = (*management)->cluster;
  }
  auto info = diag::collect_info(*client, options);
  if (!info) {
    throw Fatal(info.error());
  }
  if (o.output == "json") {
    println(diag::info_json(*info).dump(2));
    return;
  }
  print(diag::format_info(*info));
}

} // namespace

void
add_cluster_info(CLI::App& cluster, Context& ctx)
{
  auto* cmd =
    cluster.add_subcommand("info", "Show a cluster's nodes and, for Cluster API clusters, its machines' health");
  auto o = std::make_shared<InfoOptions>();
  add_target_flags(*cmd, o->target);
  cmd->add_option("-N,--nodes", o->nodes, "Only these nodes (comma-separated; each must exist)" + default_note("all"))
    ->delimiter(',');
  cmd->add_flag("-s,--skip-nodes",
                o->skip_nodes,
                "Leave out what only the nodes know (update.yaml, ostree deployments, a staged update): no pod runs on "
                "the nodes" +
                  default_note("false"));
  cmd->add_option("-o,--output", o->output, "Output format: text or json" + default_note("text"))
    ->check(CLI::IsMember({ "text", "json" }));
  cmd->callback([o, &ctx] { run_info(*o, ctx); });
}

} // namespace ocne::cli
