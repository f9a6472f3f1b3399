#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/diag_flags.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/diag/dump.hpp"

#include <filesystem>

namespace ocne::cli {

namespace {

struct DumpFlags
{
  diag::Target target;
  std::string directory;
  std::string archive;
  std::string redaction_map;
  bool skip_redaction = false;
  diag::DumpOptions options;
};

bool
inside(const std::filesystem::path& file, const std::filesystem::path& folder)
{
  const auto f = std::filesystem::weakly_canonical(std::filesystem::absolute(file));
  const auto d = std::filesystem::weakly_canonical(std::filesystem::absolute(folder));
  const auto rel = f.lexically_relative(d);
  return !rel.empty() && *rel.begin() != "..";
}

void
run_dump(DumpFlags& f, const Context& ctx)
{
  f.options.redact = !f.skip_redaction;
  if (auto ok = diag::check_dump_options(f.options); !ok) {
    throw Fatal(ok.error());
  }
  if (!f.redaction_map.empty()) {
    if (f.skip_redaction) {
      throw Fatal(Error(ErrorKind::invalid_input, "--redaction-map and --skip-redaction cannot be used together"));
    }
    if (!f.directory.empty() && inside(f.redaction_map, f.directory)) {
      throw Fatal(
        Error(ErrorKind::invalid_input,
              fmt::format("--redaction-map {}: the map must not go into the dump it un-redacts", f.redaction_map)));
    }
  }
  auto client = target_client(f.target, ctx);
  auto sink = f.directory.empty() ? diag::archive_sink(fs::expand_user(f.archive, ctx.env.home()))
                                  : diag::folder_sink(fs::expand_user(f.directory, ctx.env.home()));
  if (!sink) {
    throw Fatal(sink.error());
  }
  log::info("Dumping {} to {}", client->describe(), (*sink)->where());
  auto report = diag::dump_cluster(*client, f.options, **sink);
  if (!report) {
    throw Fatal(report.error());
  }
  if (!f.redaction_map.empty()) {
    const auto path = fs::expand_user(f.redaction_map, ctx.env.home());
    if (auto ok = fs::write_file_atomic(path, report->redaction_map_csv, fs::k_private); !ok) {
      throw Fatal(ok.error());
    }
    log::info("Redaction map (keep it private) written to {}", path.string());
  }
  log::info("Dump written to {}: {} files, {} objects, {} container logs, {} values redacted{}",
            (*sink)->where(),
            report->files,
            report->objects,
            report->logs,
            report->redactions,
            report->warnings.empty()
              ? std::string()
              : fmt::format(", {} parts unreadable (see dump-errors.txt)", report->warnings.size()));
}

} // namespace

void
add_cluster_dump(CLI::App& cluster, Context& ctx)
{
  auto* cmd =
    cluster.add_subcommand("dump", "Write a cluster's resources and container logs, redacted, to a folder or archive");
  auto f = std::make_shared<DumpFlags>();
  auto& o = f->options;
  add_target_flags(*cmd, f->target);
  auto* d = cmd->add_option("-d,--output-directory", f->directory, "Folder to write into (new or empty)");
  auto* z = cmd->add_option("-z,--generate-archive", f->archive, "Archive to write (.tgz or .tar.gz)");
  d->excludes(z);
  cmd->add_flag("-c,--curated-resources",
                o.curated,
                "Only a fixed list of kinds instead of every kind discovery finds" + default_note("false"));
  cmd->add_flag("-m,--include-configmaps",
                o.include_configmaps,
                "Include ConfigMaps (Secrets are never included)" + default_note("false"));
  cmd
    ->add_option(
      "-n,--namespaces", o.namespaces, "Only these namespaces (comma-separated; each must exist)" + default_note("all"))
    ->delimiter(',');
  cmd
    ->add_option("-N,--nodes",
                 o.nodes,
                 "Collect the files of only these nodes (comma-separated; each must exist)" + default_note("all"))
    ->delimiter(',');
  cmd->add_flag(
    "-r,--skip-cluster", o.skip_cluster, "Leave out the cluster's resources and logs" + default_note("false"));
  cmd->add_flag(
    "-s,--skip-nodes", o.skip_nodes, "Collect no node files (no pod runs on the nodes)" + default_note("false"));
  cmd->add_flag("-p,--skip-pod-logs", o.skip_pod_logs, "Leave out container logs" + default_note("false"));
  cmd->add_flag("-t,--skip-redaction",
                f->skip_redaction,
                "Do not redact addresses, keys, tokens and names" + default_note("false"));
  cmd->add_flag("--managed", o.keep_managed_fields, "Keep metadata.managedFields" + default_note("false"));
  cmd->add_flag("--json", o.json, "Write JSON instead of YAML" + default_note("false"));
  cmd->add_option("--redaction-map",
                  f->redaction_map,
                  "Also write what each REDACTED-* value stands for to this file (mode 0600; keep it private)" +
                    default_note("none"));
  cmd->callback([f, d, z, &ctx] {
    if (d->count() == 0 && z->count() == 0) {
      throw CLI::RequiredError("one of --output-directory or --generate-archive");
    }
    run_dump(*f, ctx);
  });
}

} // namespace ocne::cli
