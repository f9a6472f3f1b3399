#include "pkg/clusterctl/variables.hpp"

#include "pkg/clusterctl/installer.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ocne::clusterctl {
namespace {

Lookup
from(std::map<std::string, std::string, std::less<>> values)
{
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    if (const auto it = values.find(name); it != values.end()) {
      return it->second;
    }
    return std::nullopt;
  };
}

TEST(ComponentVariables, SubstitutesValuesAndDefaults)
{
  const std::string text = "a: ${A}\nb: ${B:=two}\nc: ${C:-three}\nd: ${D=four}\ne: ${E:=\"\"}\n";
  auto out = substitute_variables(text, from({ { "A", "one" }, { "D", "" } }), "x.yaml");
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(*out, "a: one\nb: two\nc: three\nd: \ne: \"\"\n");
}

TEST(ComponentVariables, ListsEveryMissingVariableAtOnceWithoutValues)
{
  // ${X:-} needs a value (its default is empty); ${Y:=""} does not.
  const std::string text = "a: ${NEEDED}\nb: ${X:-}\nc: ${Y:=\"\"}\nd: ${SET}\ne: ${ALSO_NEEDED}\n";
  auto out = substitute_variables(text, from({ { "SET", "secret-value" } }), "core-components.yaml");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(out.error().message(),
            "core-components.yaml: missing variables: ALSO_NEEDED, NEEDED, X (set them in the environment or in "
            "clusterctl.yaml)");
  EXPECT_EQ(out.error().message().find("secret-value"), std::string::npos);
}

TEST(ComponentVariables, ListsUsesWithClusterctlsRequiredRule)
{
  auto uses = list_component_variables("a: ${A:=x}\nb: ${B:-}\nc: ${C}\nd: ${D:=\"\"}\n", "f");
  ASSERT_TRUE(uses);
  ASSERT_EQ(uses->size(), 4u);
  EXPECT_FALSE((*uses)[0].required); // A
  EXPECT_TRUE((*uses)[1].required);  // B: empty default
  EXPECT_TRUE((*uses)[2].required);  // C
  EXPECT_FALSE((*uses)[3].required); // D: default is the two characters ""
}

TEST(ComponentVariables, FirstColumnCommentsAskForNothingButBlockScalarsKeepTheirLines)
{
  const std::string text = "# No ${VAR} variables here\n"
                           "data:\n"
                           "  script: |\n"
                           "    # ${KEPT:=in-a-block}\n"
                           "    echo $$HOME\n";
  auto out = substitute_variables(text, from({}), "capox.yaml");
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(*out, "\ndata:\n  script: |\n    # in-a-block\n    echo $HOME\n");
}

TEST(ComponentVariables, SyntaxErrorsNameTheLine)
{
  auto out = substitute_variables("a: 1\nb: ${BROKEN\n", from({}), "f.yaml");
  ASSERT_FALSE(out);
  EXPECT_TRUE(out.error().message().starts_with("f.yaml:2: ")) << out.error().message();
}

} // namespace
} // namespace ocne::clusterctl

namespace ocne::clusterctl {
namespace {

// One variable set at every level, then the levels peeled off one by one:
// the environment wins, then clusterctl.yaml, then ocne's values, then the
// stack's own.
TEST(ComponentVariables, TheEnvironmentThenClusterctlYamlThenOcnesValuesThenTheStacks)
{
  const std::string name = "EXP_KUBEADM_BOOTSTRAP_FORMAT_IGNITION";
  Component component = oracle_bootstrap();
  ASSERT_EQ(component.variables, (std::vector<std::pair<std::string, std::string>>{ { name, "true" } }));
  ClusterctlConfig clusterctl;
  clusterctl.variables[name] = "from-clusterctl-yaml";
  InstallOptions options;
  options.env = Environment::from_map({ { name, "from-environment" } });
  options.values[name] = "from-ocne";
  const auto lookup = variable_lookup(component, clusterctl, options);
  EXPECT_EQ(lookup(name), "from-environment");
  options.env = Environment::from_map({});
  EXPECT_EQ(lookup(name), "from-clusterctl-yaml");
  clusterctl.variables.clear();
  EXPECT_EQ(lookup(name), "from-ocne");
  options.values.clear();
  EXPECT_EQ(lookup(name), "true");
  component.variables.clear();
  EXPECT_EQ(lookup(name), std::nullopt);
  EXPECT_EQ(lookup("UNSET_ANYWHERE"), std::nullopt);
}

} // namespace
} // namespace ocne::clusterctl
