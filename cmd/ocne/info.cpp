// `ocne info`: what this ocne is (version, commit, build date) and what it
// reads (the configuration files it would use, whether each exists, and
// every environment variable it reads, set or not). Values of variables are
// never printed: some are secrets, and paths are shown as files instead.

#include "cmd/ocne/app.hpp"
#include "cmd/ocne/build_info.hpp"
#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "pkg/clusterctl/clusterctl_config.hpp"
#include "pkg/config/environment_variables.hpp"
#include "pkg/config/load.hpp"
#include "pkg/config/oci_config.hpp"
#include "pkg/config/oxide_credentials.hpp"
#include "pkg/image/credentials.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ocne::cli {

namespace {

struct InfoFile
{
  std::string what;
  std::filesystem::path path;
  bool exists = false;
};

std::vector<InfoFile>
files_in_effect(const Context& ctx)
{
  const auto& env = ctx.env;
  std::vector<InfoFile> files = {
    { "defaults file", config::defaults_file_path(env) },
    { "state folder", ctx.state.root() },
    { "cluster cache", ctx.state.clusters_file() },
    { "OCI config", config::oci_config_path(env, std::nullopt) },
    { "Oxide credentials", config::oxide_config_dir(env) / "credentials.toml" },
    { "Oxide config", config::oxide_config_dir(env) / "config.toml" },
    { "clusterctl config", clusterctl::clusterctl_config_dir(env) / "clusterctl.yaml" },
  };
  for (const auto& auth : image::default_auth_files(env)) {
    files.push_back({ "registry credentials", auth });
  }
  for (auto& f : files) {
    std::error_code ec;
    f.exists = std::filesystem::exists(f.path, ec);
  }
  return files;
}

// Markdown `code` reads as plain text on a terminal and in JSON.
std::string
plain(std::string_view markdown)
{
  std::string out;
  for (const char c : markdown) {
    if (c != '`') {
      out += c;
    }
  }
  return out;
}

constexpr std::string_view k_more_variables =
  "Cluster API component manifests may name further variables (${NAME}); like clusterctl, ocne takes them from "
  "the environment first.";

void
run_info(const std::string& output, const Context& ctx)
{
  const auto files = files_in_effect(ctx);
  const auto& variables = config::environment_variables();
  if (output == "json") {
    nlohmann::json doc = { { "version", build_info::version },         { "commit", build_info::commit },
                           { "buildDate", build_info::date },          { "files", nlohmann::json::array() },
                           { "environment", nlohmann::json::array() }, { "note", std::string(k_more_variables) } };
    for (const auto& f : files) {
      doc["files"].push_back({ { "name", f.what }, { "path", f.path.string() }, { "exists", f.exists } });
    }
    for (const auto& v : variables) {
      doc["environment"].push_back(
        { { "name", v.name }, { "set", ctx.env.get(v.name).has_value() }, { "effect", plain(v.effect) } });
    }
    println(doc.dump(2));
    return;
  }
  std::string text = fmt::format("{}\ncommit:     {}\nbuild date: {}\n\nConfiguration files:\n",
                                 version_text(),
                                 build_info::commit,
                                 build_info::date);
  for (const auto& f : files) {
    text += fmt::format("  {:<22} {}{}\n", f.what, f.path.string(), f.exists ? "" : " (not found)");
  }
  text += "\nEnvironment variables (whether set; values are never shown):\n";
  std::size_t width = 0;
  for (const auto& v : variables) {
    width = std::max(width, v.name.size());
  }
  for (const auto& v : variables) {
    text += fmt::format("  {:<{}} {:<5}  {}\n", v.name, width, ctx.env.get(v.name) ? "set" : "unset", plain(v.effect));
  }
  text += "\n" + std::string(k_more_variables) + "\n";
  print(text);
}

} // namespace

void
add_info(CLI::App& root, Context& ctx)
{
  auto* cmd =
    root.add_subcommand("info", "Print the version, the configuration files and the environment variables ocne reads");
  auto output = std::make_shared<std::string>("text");
  cmd->add_option("-o,--output", *output, "Output format: text or json" + default_note("text"))
    ->check(CLI::IsMember({ "text", "json" }));
  cmd->callback([output, &ctx] { run_info(*output, ctx); });
}

} // namespace ocne::cli
