// `ocne node update`: boot a node (or every node) of a cluster of in-place
// OCK nodes into the OS `ocne cluster stage` had it download
// (pkg/upgrade/node_update.hpp). Oracle's flags; -C as `cluster info` has.

#include "pkg/upgrade/node_update.hpp"

#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/diag_flags.hpp"
#include "cmd/ocne/duration_flag.hpp"
#include "cmd/ocne/env_number.hpp"
#include "pkg/core/strings.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <memory>

namespace ocne::cli {

namespace {

struct NodeUpdateFlags
{
  diag::Target target;
  std::string node;
  std::string timeout = "30m";
  bool delete_emptydir_data = false;
  bool disable_eviction = false;
  bool force = false;
  std::string pre_update_mode = "default";
};

std::string
owner()
{
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}/{}", host, ::getpid());
}

void
run_node_update(const NodeUpdateFlags& f, Context& ctx)
{
  if (f.pre_update_mode != "only" && f.node.empty()) {
    throw Fatal("--node is required (a node's name, or all)");
  }
  auto timeout = parse_duration("--timeout", f.timeout);
  if (!timeout) {
    throw Fatal(timeout.error());
  }
  upgrade::NodeUpdateOptions o;
  o.node = f.node;
  o.force = f.force;
  o.drain.timeout = *timeout;
  o.drain.delete_emptydir_data = f.delete_emptydir_data;
  o.drain.disable_eviction = f.disable_eviction;
  constexpr long long k_day = 24 * 3600;
  o.ready_timeout =
    std::chrono::seconds(env_number(ctx.env, "OCNE_NODE_UPDATE_READY_TIMEOUT", o.ready_timeout.count(), 1, k_day));
  o.interval =
    std::chrono::milliseconds(env_number(ctx.env, "OCNE_NODE_UPDATE_POLL_MS", o.interval.count(), 1, k_day * 1000));
  o.drain.retry_interval = std::min(o.drain.retry_interval, o.interval);
  o.owner = owner();
  // A crash at a named point ("cordoned", "reboot scheduled"), or at its
  // n-th time ("uncordoned#2"): how the tests check that a run killed
  // anywhere continues where it stopped.
  if (const auto at = ctx.env.get_nonempty("OCNE_TEST_KILL_AT")) {
    const auto hash = at->rfind('#');
    const std::string point = hash == std::string::npos ? *at : at->substr(0, hash);
    const long nth = hash == std::string::npos ? 1 : std::atol(at->c_str() + hash + 1);
    o.checkpoint = [point, nth, seen = std::make_shared<long>(0)](std::string_view reached) {
      if (reached == point && ++*seen == nth) {
        std::raise(SIGKILL);
      }
    };
  }
  auto client = target_client(f.target, ctx);
  if (f.pre_update_mode == "only") {
    // ocne starts no cluster that needs Oracle's pre-update fixes.
    println("Nothing to do before the update: ocne's clusters need no pre-update step");
    return;
  }
  auto report = upgrade::update_nodes(*client, o, ctx.progress_sink());
  if (!report) {
    throw Fatal(report.error());
  }
  std::vector<std::string> waiting;
  for (const auto& n : report->nodes) {
    if (n.outcome == "updated") {
      println(fmt::format("Node {}: updated from {} to {}", n.node, n.from_version, n.to_version));
    } else {
      println(fmt::format("Node {}: {}", n.node, n.outcome));
    }
    if (n.outcome == "not downloaded yet") {
      waiting.push_back(n.node);
    }
  }
  if (!waiting.empty()) {
    throw Fatal("{} still download the staged OS; run 'ocne node update --node all' again once 'ocne cluster info' "
                "shows their updates",
                str::join(waiting, ", "));
  }
}

} // namespace

void
add_node_update(CLI::App& node, Context& ctx)
{
  auto* cmd = node.add_subcommand(
    "update", "Boot a node of an in-place OCK cluster into the OS staged by 'cluster stage', drained and uncordoned");
  auto f = std::make_shared<NodeUpdateFlags>();
  add_target_flags(*cmd, f->target);
  cmd->add_option("-N,--node", f->node, "Node to update, or all (control planes first, one at a time)");
  cmd->add_option("-t,--timeout", f->timeout, "How long the drain may take (e.g. 30m, 1h30m)" + default_note("30m"));
  cmd->add_flag("-d,--delete-emptydir-data", f->delete_emptydir_data, "Drain pods with emptyDir volumes (data lost)");
  cmd->add_flag("-c,--disable-eviction", f->disable_eviction, "Delete pods instead of evicting them (budgets ignored)");
  cmd->add_flag("-f,--force", f->force, "Update even when no update is announced");
  cmd
    ->add_option("-p,--pre-update-mode",
                 f->pre_update_mode,
                 "default, only (run the pre-update step and stop) or skip; ocne's clusters need no pre-update step" +
                   default_note("default"))
    ->check(CLI::IsMember({ "default", "only", "skip" }));
  cmd->callback([f, &ctx] { run_node_update(*f, ctx); });
}

} // namespace ocne::cli
