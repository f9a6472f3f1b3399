#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/diag_flags.hpp"
#include "cmd/ocne/output.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/diag/backup.hpp"

namespace ocne::cli {

namespace {

struct BackupFlags
{
  diag::Target target;
  std::string out;
};

void
run_backup(const BackupFlags& f, const Context& ctx)
{
  auto client = target_client(f.target, ctx);
  const auto path = fs::expand_user(f.out, ctx.env.home());
  log::info("Taking an etcd snapshot of {}", client->describe());
  auto r = diag::backup_etcd(*client, path);
  if (!r) {
    throw Fatal(r.error());
  }
  // The member's revision right before and after the snapshot: equal unless
  // something was written meanwhile.
  const auto revision = r->revision_after == r->revision
                          ? fmt::format("revision {}", r->revision)
                          : fmt::format("revision {} to {}", r->revision, r->revision_after);
  println(fmt::format("Etcd snapshot from {} (node {}) written to {}: {} ({} bytes), {}, SHA-256 {}",
                      r->pod,
                      r->node,
                      path.string(),
                      human_bytes(r->size),
                      r->size,
                      revision,
                      r->sha256));
  if (!r->restore_secrets.empty()) {
    println("A restore of this Cluster API cluster also needs these Secrets: " + str::join(r->restore_secrets, ", "));
  }
}

} // namespace

void
add_cluster_backup(CLI::App& cluster, Context& ctx)
{
  auto* cmd = cluster.add_subcommand("backup", "Save an etcd snapshot of a cluster to a local file (mode 0600)");
  auto f = std::make_shared<BackupFlags>();
  add_target_flags(*cmd, f->target);
  cmd->add_option("-o,--out", f->out, "The file to write")->required();
  cmd->callback([f, &ctx] { run_backup(*f, ctx); });
}

} // namespace ocne::cli
