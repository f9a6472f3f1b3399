#include "pkg/cluster_templates/cluster_template.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/template/render.hpp"
#include "providers/oci/cloud_template.hpp"
#include "providers/oxide/cloud_template.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/pkg/cluster_templates/support.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace ocne::test {
namespace {

namespace stdfs = std::filesystem;

class ClusterTemplate : public TempDirTest
{
protected:
  Result<cluster_templates::ClusterTemplate>
  render(std::string_view cluster_yaml, TestLookups* resolver = nullptr)
  {
    const auto file = write("work/cluster.yaml", cluster_yaml);
    OCNE_TRY_ASSIGN(auto loaded, load_for_template(file, dir() / "home"));
    OfflineResolver offline;
    const auto cloud = cloud_template_for(loaded.config.provider.get(), resolver != nullptr ? *resolver : offline);
    return cluster_templates::render_cluster_template(loaded.config, *cloud);
  }
};

TEST_F(ClusterTemplate, LookupsFillWhatTheConfigLeavesOpen)
{
  FakeResolver resolver;
  auto r = render("provider: oci\nkubernetesVersion: \"1.31\"\nproviders:\n  oci:\n    compartment: projects/k8s\n",
                  &resolver);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(resolver.calls,
            (std::vector<std::string>{ "resolve_compartment(projects/k8s)",
                                       "find_oci_image(ocid1.compartment.oc1..resolvedk8s, 1.31, arm64)",
                                       "find_oci_image(ocid1.compartment.oc1..resolvedk8s, 1.31, amd64)" }));
  EXPECT_TRUE(r->placeholders.empty());
  EXPECT_EQ(cluster_templates::find_placeholders(r->yaml), std::vector<std::string>{});
  EXPECT_NE(r->yaml.find("imageId: ocid1.image.oc1.iad.ock-1-31-arm64\n"), std::string::npos);
  EXPECT_NE(r->yaml.find("compartmentId: ocid1.compartment.oc1..resolvedk8s\n"), std::string::npos);
}

TEST_F(ClusterTemplate, ConfiguredImagesWinOverLookups)
{
  FakeResolver resolver;
  auto r = render("provider: oci\nproviders:\n  oci:\n    compartment: projects/k8s\n    images:\n      arm64: "
                  "ocid1.image.mine\n",
                  &resolver);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(resolver.calls,
            (std::vector<std::string>{ "resolve_compartment(projects/k8s)",
                                       "find_oci_image(ocid1.compartment.oc1..resolvedk8s, 1.33, amd64)" }));
  EXPECT_NE(r->yaml.find("imageId: ocid1.image.mine\n"), std::string::npos);
}

TEST_F(ClusterTemplate, AMissingCompartmentIsAnError)
{
  FakeResolver resolver;
  auto r = render("provider: oci\nproviders:\n  oci:\n    compartment: projects/nope\n", &resolver);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "could not find compartment named projects/nope");
}

TEST_F(ClusterTemplate, PlaceholdersAreListedAndFindable)
{
  auto r = render("provider: oxide\nproviders:\n  oxide:\n    project: k8s\n");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->placeholders,
            std::vector<std::string>{ "${OXIDE_IMAGE_ID}: the UUID of image 'ocne-1-33' (providers.oxide.imageName) is "
                                      "not known (no Oxide credentials were found)" });
  EXPECT_EQ(cluster_templates::find_placeholders(r->yaml), std::vector<std::string>{ "${OXIDE_IMAGE_ID}" });
  EXPECT_EQ(cluster_templates::find_placeholders("a: ${X}\nb: ${Y}-${X} $${no} ${}"),
            (std::vector<std::string>{ "${X}", "${Y}" }));
}

TEST_F(ClusterTemplate, SecretsNeverReachTheOutput)
{
  // The Oxide token lives in the environment or credentials.toml; the
  // template only names the Secret that `cluster start` creates.
  auto r = render("provider: oxide\nname: demo\nproviders:\n  oxide:\n    project: k8s\n    host: "
                  "https://oxide.example.com\n");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_NE(r->yaml.find("credentialsRef:\n    name: demo-oxide-credentials\n    namespace: ocne\n"),
            std::string::npos);
  EXPECT_EQ(r->yaml.find("oxide.example.com"), std::string::npos);
  EXPECT_EQ(r->yaml.find("oxide-token:"), std::string::npos);
  EXPECT_EQ(r->yaml.find("kind: Secret"), std::string::npos);
}

TEST_F(ClusterTemplate, ATemplateFileInTheConfigReplacesTheBuiltInOne)
{
  write("work/mine.yaml", "# mine\nkind: Note\nname: ${CLUSTER_NAME}\nworkers: ${WORKER_MACHINE_COUNT}\n");
  auto r = render("provider: oci\nname: demo\nworkerNodes: 4\nproviders:\n  oci:\n    template: mine.yaml\n");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->yaml, "# mine\nkind: Note\nname: demo\nworkers: 4\n");
  EXPECT_EQ(r->source, (dir() / "work" / "mine.yaml").string());

  write("work/broken.yaml", "name: ${CLUSTER_NAME}\nimage: ${NO_SUCH_VARIABLE}\n");
  auto bad = render("provider: oci\nproviders:\n  oci:\n    template: broken.yaml\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            (dir() / "work" / "broken.yaml").string() + ": no value for required variable: NO_SUCH_VARIABLE (line 2)");

  auto missing = render("provider: oxide\nproviders:\n  oxide:\n    project: k8s\n    template: gone.yaml\n");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            "providers.oxide.template: " + (dir() / "work" / "gone.yaml").string() + ": no such file or directory");
}

TEST_F(ClusterTemplate, UnreadableInputsAreNamed)
{
  auto key = render("provider: oci\nsshPublicKeyPath: nokey.pub\n");
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().message(),
            "sshPublicKeyPath: " + (dir() / "work" / "nokey.pub").string() + ": no such file or directory");
  write("work/extra.bu", "variant: fcos\nversion: 1.5.0\n");
  auto butane = render("provider: oci\nextraIgnition: extra.bu\n");
  ASSERT_FALSE(butane);
  EXPECT_EQ(butane.error().message(),
            "extraIgnition " + (dir() / "work" / "extra.bu").string() +
              ": not an Ignition JSON config; Butane YAML is not supported for oci and oxide clusters yet (translate "
              "it with `butane` first)");
}

TEST_F(ClusterTemplate, ExtraIgnitionFoldersMergeInNameOrder)
{
  write("work/ign/20-b.ign", R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/x","mode":420}]}})");
  write("work/ign/10-a.ign", R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/x","mode":384}]}})");
  auto r = render("provider: oxide\nextraIgnition: ign\nproviders:\n  oxide:\n    project: k8s\n");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_NE(r->yaml.find(R"({"path":"/etc/x","mode":420})"), std::string::npos) << "20-b.ign merges last";
}

TEST_F(ClusterTemplate, OxideBootstrapDataStaysUnderTheUserDataLimit)
{
  // The largest example (every key, extra Ignition, proxy, keys) leaves room
  // for what Cluster API adds.
  auto largest = render_file(fixture_path("templates/oxide-full.cluster.yaml"), dir());
  ASSERT_TRUE(largest) << largest.error().message();
  EXPECT_TRUE(largest->warnings.empty());
  EXPECT_LT(largest->ignition_bytes + cluster_templates::k_capi_ignition_overhead, providers::oxide::k_user_data_limit)
    << largest->ignition_bytes;

  // An extra file big enough to push it over gets a warning...
  const std::string blob(20000, 'x');
  write("work/big.ign",
        R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/big","contents":{"source":"data:,)" +
          blob + R"("}}]}})");
  auto warned = render("provider: oxide\nextraIgnition: big.ign\nproviders:\n  oxide:\n    project: k8s\n");
  ASSERT_TRUE(warned) << warned.error().message();
  ASSERT_EQ(warned->warnings.size(), 1U) << warned->ignition_bytes;
  EXPECT_EQ(warned->warnings[0],
            fmt::format("a control plane node's bootstrap data will be about {} bytes ({} of Ignition from ocne plus "
                        "about 14500 that Cluster API adds), over Oxide's limit of 32768 bytes of user data; make "
                        "extraIgnition smaller",
                        warned->ignition_bytes + 14500,
                        warned->ignition_bytes));
  // ...and one over what the CRD accepts is an error, for OCI too.
  const std::string huge(33000, 'x');
  write("work/huge.ign",
        R"({"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/big","contents":{"source":"data:,)" +
          huge + R"("}}]}})");
  auto refused = render("provider: oci\nextraIgnition: huge.ign\n");
  ASSERT_FALSE(refused);
  EXPECT_TRUE(str::ends_with(refused.error().message(),
                             " bytes, over the 32768 that Cluster API accepts; make extraIgnition or "
                             "extraIgnitionInline smaller"))
    << refused.error().message();
}

// The clouds' parts, in registry order (docs/templates.md's order).
std::vector<std::unique_ptr<cluster_templates::CloudTemplate>>
clouds()
{
  std::vector<std::unique_ptr<cluster_templates::CloudTemplate>> out;
  out.push_back(providers::oci::make_cloud_template(nullptr));
  out.push_back(providers::oxide::make_cloud_template(nullptr));
  return out;
}

TEST_F(ClusterTemplate, DocumentationListsEveryVariable)
{
  std::ifstream in(source_dir() / "docs" / "templates.md");
  ASSERT_TRUE(in);
  const std::string docs((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<const std::vector<cluster_templates::VariableSpec>*> tables{
    &cluster_templates::shared_variable_specs()
  };
  const auto all = clouds();
  for (const auto& cloud : all) {
    tables.push_back(&cloud->variables());
  }
  for (const auto* rows : tables) {
    for (const auto& spec : *rows) {
      EXPECT_NE(docs.find("| `" + std::string(spec.name) + "` |"), std::string::npos)
        << "docs/templates.md has no row for " << spec.name;
    }
  }
}

TEST_F(ClusterTemplate, BuiltInTemplatesUseOnlyKnownVariables)
{
  for (const auto& cloud : clouds()) {
    const auto name = "templates/capi-" + std::string(cloud->name()) + ".yaml";
    auto text = fs::read_file(source_dir() / name);
    ASSERT_TRUE(text);
    auto vars = tmpl::template_variables(*text, { name });
    ASSERT_TRUE(vars) << vars.error().message();
    std::set<std::string> known;
    for (const auto* rows : { &cluster_templates::shared_variable_specs(), &cloud->variables() }) {
      for (const auto& spec : *rows) {
        known.insert(std::string(spec.name));
      }
    }
    std::set<std::string> used;
    for (const auto& v : *vars) {
      used.insert(v.name);
      EXPECT_TRUE(known.count(v.name) == 1 || !v.required) << name << " uses unknown variable " << v.name;
    }
    for (const auto& k : known) {
      EXPECT_EQ(used.count(k), 1U) << name << " does not use " << k;
    }
  }
}

} // namespace
} // namespace ocne::test
