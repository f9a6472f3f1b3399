#include "cmd/ocne/prefix.hpp"

namespace ocne::cli {

namespace {

const CLI::App*
match(const CLI::App& app, const std::string& word)
{
  const CLI::App* found = nullptr;
  int matches = 0;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    std::vector<std::string> names = sub->get_aliases();
    names.push_back(sub->get_name());
    for (const auto& name : names) {
      if (name == word) {
        return sub;
      }
    }
    for (const auto& name : names) {
      if (name.rfind(word, 0) == 0) {
        if (found != sub) {
          ++matches;
        }
        found = sub;
        break;
      }
    }
  }
  return matches == 1 ? found : nullptr;
}

} // namespace

void
expand_prefixes(const CLI::App& app, std::vector<std::string>& args)
{
  const CLI::App* current = &app;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--") {
      return;
    }
    if (!arg.empty() && arg[0] == '-') {
      // Skip the value of an option that takes one ("-l debug").
      if (arg.find('=') == std::string::npos) {
        const auto* opt = current->get_option_no_throw(arg);
        for (const CLI::App* a = current; opt == nullptr && a != nullptr; a = a->get_parent()) {
          opt = a->get_option_no_throw(arg);
        }
        if (opt != nullptr && opt->get_type_size_max() > 0) {
          ++i;
        }
      }
      continue;
    }
    const auto* sub = match(*current, arg);
    if (sub == nullptr) {
      return; // a positional argument or an unknown word: CLI11 reports it
    }
    args[i] = sub->get_name();
    current = sub;
  }
}

} // namespace ocne::cli
