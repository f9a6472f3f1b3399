#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/diag_flags.hpp"
#include "pkg/diag/analyze.hpp"

#include <nlohmann/json.hpp>

namespace ocne::cli {

namespace {

struct AnalyzeFlags
{
  diag::Target target;
  std::string dump;
  bool verbose = false;
  bool skip_nodes = false;
  bool skip_pod_logs = false;
  std::string output = "text";
};

void
run_analyze(const AnalyzeFlags& f, const Context& ctx)
{
  auto snapshot = [&]() -> Result<diag::ClusterSnapshot> {
    if (!f.dump.empty()) {
      return diag::snapshot_from_dump(fs::expand_user(f.dump, ctx.env.home()));
    }
    auto client = target_client(f.target, ctx);
    return diag::snapshot_live(*client, { .node_files = !f.skip_nodes, .pod_logs = !f.skip_pod_logs });
  }();
  if (!snapshot) {
    throw Fatal(snapshot.error());
  }
  const auto analysis = diag::analyze(*snapshot, { .verbose = f.verbose });
  if (f.output == "json") {
    println(diag::analysis_json(analysis).dump(2));
    return;
  }
  print(diag::format_analysis(analysis));
}

} // namespace

void
add_cluster_analyze(CLI::App& cluster, Context& ctx)
{
  auto* cmd = cluster.add_subcommand("analyze", "Report what is wrong in a cluster, live or from a dump");
  auto f = std::make_shared<AnalyzeFlags>();
  add_target_flags(*cmd, f->target);
  auto* d =
    cmd->add_option("-d,--dump-directory",
                    f->dump,
                    "Analyze this dump (a folder or a .tgz from 'ocne cluster dump') instead of the live cluster");
  cmd->add_flag("-v,--verbose", f->verbose, "Every Warning event, not only the 20 newest" + default_note("false"));
  auto* s = cmd->add_flag("-s,--skip-nodes",
                          f->skip_nodes,
                          "Live: read no node files (failed units, staged updates), so no pod runs on the nodes" +
                            default_note("false"));
  auto* p =
    cmd->add_flag("-p,--skip-pod-logs",
                  f->skip_pod_logs,
                  "Live: read no container logs (the last lines before a container restarted)" + default_note("false"));
  d->excludes(s)->excludes(p);
  s->excludes(p);
  cmd->add_option("-o,--output", f->output, "Output format: text or json" + default_note("text"))
    ->check(CLI::IsMember({ "text", "json" }));
  cmd->callback([f, &ctx] { run_analyze(*f, ctx); });
}

} // namespace ocne::cli
