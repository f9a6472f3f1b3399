#include "cmd/ocne/app.hpp"

#include "cmd/ocne/build_info.hpp"
#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/context.hpp"
#include "cmd/ocne/kubeconfig_option.hpp"
#include "cmd/ocne/output.hpp"
#include "cmd/ocne/prefix.hpp"
#include "pkg/core/error.hpp"
#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace ocne::cli {

namespace {

void
on_signal(int sig)
{
  if (interrupted()) {
    // A second Ctrl-C: stop now.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  request_interrupt();
}

void
print_error(const std::string& message)
{
  for (const auto& line : str::split(message, '\n')) {
    std::fprintf(stderr, "ocne: error: %s\n", line.c_str());
  }
}

// A group command with no subcommand prints its help (and exits 0, as ocne).
void
help_when_alone(CLI::App& group)
{
  group.require_subcommand(0, 1);
  group.callback([&group] {
    if (group.get_subcommands().empty()) {
      throw CLI::CallForHelp();
    }
  });
}

} // namespace

std::string
version_text()
{
  return fmt::format("ocne version {} (commit {})", build_info::version, build_info::commit);
}

void
build_command_tree(CLI::App& app, Context& ctx, GlobalOptions& globals)
{
  app.name("ocne");
  app.description("ocne runs the whole lifecycle of Kubernetes clusters on OCI, Oxide and local libvirt VMs.");
  app.get_formatter()->column_width(44);
  app.set_version_flag("--version", version_text(), "Print the version and the commit it was built from");
  app.require_subcommand(0, 1);

  app
    .add_option(
      "-l,--log-level", globals.level, "Log level: error, warn, info, debug or trace" + std::string(" (default: info)"))
    ->check(CLI::IsMember({ "error", "warn", "info", "debug", "trace" }));
  app.add_option("--log-format", globals.format, "Log format: text or json (default: text)")
    ->check(CLI::IsMember({ "text", "json" }));

  auto* cluster = app.add_subcommand("cluster", "Create, template, list, show, inspect and delete Kubernetes clusters");
  help_when_alone(*cluster);
  add_cluster_start(*cluster, ctx);
  add_cluster_template(*cluster, ctx);
  add_cluster_delete(*cluster, ctx);
  add_cluster_list(*cluster, ctx);
  add_cluster_show(*cluster, ctx);
  add_cluster_info(*cluster, ctx);
  add_cluster_dump(*cluster, ctx);
  add_cluster_analyze(*cluster, ctx);
  add_cluster_backup(*cluster, ctx);
  add_cluster_console(*cluster, ctx);
  add_cluster_upgrade(*cluster, ctx);
  add_cluster_stage(*cluster, ctx);

  auto* node = app.add_subcommand("node", "Update the nodes of a cluster");
  help_when_alone(*node);
  add_node_update(*node, ctx);

  auto* image = app.add_subcommand("image", "Build, inspect and upload node boot images");
  help_when_alone(*image);
  add_image_create(*image, ctx);
  add_image_upload(*image, ctx);
  add_image_info(*image, ctx);

  add_info(app, ctx);
  add_completion(app, ctx);
  // After every command exists: -k/--kubeconfig wherever it is missing.
  add_kubeconfig_everywhere(app);
  // Added last so only the top level has it.
  app.set_help_all_flag("--help-all", "Print help for every command");
}

int
run(int argc, char** argv)
{
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  Context ctx{ Environment::process(), StateDir(""), nullptr, ::isatty(2) == 1, ::isatty(1) == 1 };
  ctx.state = StateDir::from_env(ctx.env);
  const bool color = ctx.stderr_tty && !ctx.env.get_nonempty("NO_COLOR");
  log::set_color(color);

  CLI::App app;
  GlobalOptions globals;
  build_command_tree(app, ctx, globals);

  // Set up logging and progress before any command callback runs.
  std::unique_ptr<ProgressSink> progress;
  app.parse_complete_callback([&] {
    log::set_level(*log::parse_level(globals.level));
    log::set_format(globals.format == "json" ? log::Format::json : log::Format::text);
    progress = make_progress_sink(ctx.stderr_tty && globals.format == "text");
    ctx.progress = progress.get();
  });

  std::vector<std::string> args(argv + 1, argv + argc);
  expand_prefixes(app, args);
  std::reverse(args.begin(), args.end()); // CLI11 takes a reversed vector

  int code = k_exit_ok;
  try {
    app.parse(args);
    if (app.get_subcommands().empty()) {
      throw CLI::CallForHelp();
    }
    code = ctx.exit_code;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      code = app.exit(e); // --help, --version
    } else {
      print_error(e.what());
      std::fprintf(stderr, "Run 'ocne --help' (or add --help to the command) for usage.\n");
      code = k_exit_usage;
    }
  } catch (const Fatal& f) {
    print_error(f.error().message());
    code = f.error().kind() == ErrorKind::cancelled ? k_exit_interrupted : f.exit_code();
  }
  progress.reset();
  log::set_sink({});
  std::fflush(stdout);
  if (code == k_exit_ok && interrupted()) {
    code = k_exit_interrupted;
  }
  return code;
}

} // namespace ocne::cli
