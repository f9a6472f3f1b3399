// `ocne info`: the version, commit and build date of --version, the files it
// would read, and every environment variable it reads as set or unset, never
// with its value.

#include "pkg/config/environment_variables.hpp"
#include "pkg/core/strings.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace ocne::test {
namespace {

class CliInfoTest : public TempDirTest
{};

TEST_F(CliInfoTest, TextStartsWithTheVersionAndListsEveryVariable)
{
  const auto version = run_ocne({ "--version" }, dir());
  const auto r = run_ocne({ "info" }, dir(), { { "OCNE_HOME", (dir() / "state").string() } });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.substr(0, version.out.size()), version.out);
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\ncommit: +([0-9a-f]{40}|unknown)\n)"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nbuild date: +(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|unknown)\n)")))
    << r.out;
  EXPECT_NE(r.out.find("  state folder           " + (dir() / "state").string() + " (not found)\n"), std::string::npos)
    << r.out;
  for (const auto& v : config::environment_variables()) {
    const auto state = v.name == "OCNE_HOME" || v.name == "HOME" || v.name == "PATH" ? "set" : "unset";
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\n  " + std::string(v.name) + " +" + state + " ")))
      << v.name << " is not listed as " << state << ":\n"
      << r.out;
  }
}

TEST_F(CliInfoTest, JsonSaysWhatIsSetAndNeverAValue)
{
  const auto defaults = write("my-defaults.yaml", "clusterName: x\n");
  const std::map<std::string, std::string> env = { { "OXIDE_TOKEN", "oxide-token-value-1234" },
                                                   { "GITHUB_TOKEN", "github-token-value-5678" },
                                                   { "KUBECONFIG", "/kube/config-path-9012" },
                                                   { "OCNE_DEFAULTS", defaults.string() } };
  const auto r = run_ocne({ "info", "-o", "json" }, dir(), env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& [name, value] : env) {
    if (name != "OCNE_DEFAULTS") { // a file ocne reads: shown as a file
      EXPECT_EQ(r.out.find(value), std::string::npos) << name << "'s value is printed:\n" << r.out;
    }
  }
  const auto doc = nlohmann::json::parse(r.out);
  const auto version = run_ocne({ "--version" }, dir());
  EXPECT_EQ(version.out,
            "ocne version " + doc["version"].get<std::string>() + " (commit " + doc["commit"].get<std::string>() +
              ")\n");
  EXPECT_TRUE(doc["buildDate"].is_string());

  std::vector<std::string> names;
  for (const auto& v : doc["environment"]) {
    const auto name = v["name"].get<std::string>();
    names.push_back(name);
    EXPECT_EQ(v["set"].get<bool>(), env.count(name) == 1 || name == "HOME" || name == "OCNE_HOME" || name == "PATH")
      << name;
    EXPECT_FALSE(v["effect"].get<std::string>().empty()) << name;
  }
  std::vector<std::string> want;
  for (const auto& v : config::environment_variables()) {
    want.emplace_back(v.name);
  }
  EXPECT_EQ(names, want);

  bool found_defaults = false;
  for (const auto& f : doc["files"]) {
    if (f["name"] == "defaults file") {
      found_defaults = true;
      EXPECT_EQ(f["path"], defaults.string());
      EXPECT_EQ(f["exists"], true);
    } else if (f["name"] == "cluster cache") {
      EXPECT_EQ(f["path"], (dir() / ".ocne" / "clusters.yaml").string());
      EXPECT_EQ(f["exists"], false);
    }
  }
  EXPECT_TRUE(found_defaults) << r.out;
}

TEST_F(CliInfoTest, UnknownOutputIsAUsageError)
{
  const auto r = run_ocne({ "info", "-o", "yaml" }, dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--output"), std::string::npos) << r.err;
}

} // namespace
} // namespace ocne::test
