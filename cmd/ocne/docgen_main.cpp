// ocne-docgen: run at build time to write the man pages and the completion
// files from the same command tree the ocne binary parses with, so what is
// installed always matches --help.
//
//   ocne-docgen MARKDOWN_DIR MAN_DIR BASH_FILE ZSH_FILE FISH_FILE

#include "cmd/ocne/app.hpp"
#include "cmd/ocne/build_info.hpp"
#include "cmd/ocne/man.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

std::string
read_file(const fs::path& path)
{
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool
write_file(const fs::path& path, const std::string& text)
{
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "ocne-docgen: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

} // namespace

int
main(int argc, char** argv)
{
  if (argc != 6) {
    std::fprintf(stderr, "usage: ocne-docgen MARKDOWN_DIR MAN_DIR BASH_FILE ZSH_FILE FISH_FILE\n");
    return 2;
  }
  const fs::path markdown_dir = argv[1];
  const fs::path man_dir = argv[2];

  ocne::cli::Context ctx{ ocne::Environment::process(), ocne::StateDir(""), nullptr, false, false };
  CLI::App app;
  ocne::cli::GlobalOptions globals;
  ocne::cli::build_command_tree(app, ctx, globals);

  std::error_code ec;
  fs::create_directories(man_dir, ec);
  // Pages of commands that no longer exist must not be installed.
  for (const auto& entry : fs::directory_iterator(man_dir, ec)) {
    if (entry.path().extension() == ".1") {
      fs::remove(entry.path(), ec);
    }
  }
  const auto markdown = [&](const std::string& name) {
    const auto path = markdown_dir / (name + ".md");
    return fs::exists(path) ? read_file(path) : std::string();
  };
  bool ok = true;
  for (const auto& page : ocne::cli::man_pages(app, markdown, ocne::cli::build_info::version)) {
    ok = write_file(man_dir / (page.name + ".1"), page.roff) && ok;
  }
  ok = write_file(argv[3], ocne::cli::completion_script(app, "bash")) && ok;
  ok = write_file(argv[4], ocne::cli::completion_script(app, "zsh")) && ok;
  ok = write_file(argv[5], ocne::cli::completion_script(app, "fish")) && ok;
  return ok ? 0 : 1;
}
