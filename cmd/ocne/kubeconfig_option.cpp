#include "cmd/ocne/kubeconfig_option.hpp"

#include "cmd/ocne/config_flags.hpp"

namespace ocne::cli {

namespace {

std::vector<CLI::App*>
all_subcommands(CLI::App& app)
{
  return app.get_subcommands([](const CLI::App*) { return true; });
}

void
add_to(CLI::App& app)
{
  const auto subs = all_subcommands(app);
  for (auto* sub : subs) {
    add_to(*sub);
  }
  if (app.get_option_no_throw("--kubeconfig") != nullptr) {
    return;
  }
  if (subs.empty()) {
    app
      .add_option(
        "-k,--kubeconfig",
        [](const CLI::results_t&) { return true; },
        "Kubeconfig: accepted for compatibility with Oracle's ocne; this command does not use it" + default_note(""))
      ->type_name("TEXT");
    return;
  }
  // Runs before the subcommand's options are processed (CLI11 handles a
  // command's options before those of its subcommands), so the value lands
  // in the subcommand's own -k as if given there.
  app
    .add_option(
      "-k,--kubeconfig",
      [&app](const CLI::results_t& values) {
        for (auto* sub : app.get_subcommands()) {
          auto* theirs = sub->get_option_no_throw("--kubeconfig");
          if (theirs != nullptr && theirs->count() == 0 && !values.empty()) {
            theirs->add_result(values.back());
          }
        }
        return true;
      },
      "Kubeconfig, passed on to the command that follows" + default_note(""))
    ->type_name("TEXT");
}

} // namespace

void
add_kubeconfig_everywhere(CLI::App& root)
{
  add_to(root);
}

} // namespace ocne::cli
