#include "pkg/k8s/apply.hpp"

#include "tests/component/pkg/k8s/fake_api.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::k8s {
namespace {

using nlohmann::json;
using test::FakeApi;

void
echo(const httplib::Request& req, httplib::Response& res)
{
  res.set_content(req.body, "application/json");
}

class ApplyTest : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    api.routes().Patch("/api/v1/namespaces/demo", echo);
    api.routes().Patch("/api/v1/namespaces/demo/configmaps/cm", echo);
    api.routes().Patch("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         widgets_crd_applied = true;
                         echo(req, res);
                       });
    api.routes().Get(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
      [this](const httplib::Request&, httplib::Response& res) {
        // Established on the second look; discovery then serves the kind.
        const bool established = ++crd_gets >= 2;
        api.widgets_installed = established;
        res.set_content(
          json({ { "metadata", { { "name", "widgets.example.com" } } },
                 { "status",
                   { { "conditions",
                       { { { "type", "Established" }, { "status", established ? "True" : "False" } } } } } } })
            .dump(),
          "application/json");
      });
    api.routes().Get("/apis/apiextensions.k8s.io/v1", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
        R"({"resources":[{"name":"customresourcedefinitions","kind":"CustomResourceDefinition","namespaced":false}]})",
        "application/json");
    });
    api.routes().Patch("/apis/example.com/v1/namespaces/demo/widgets/w", echo);
    api.start();
  }

  std::vector<std::string>
  patched_paths() const
  {
    std::vector<std::string> out;
    for (const auto& s : api.seen("PATCH", "/")) {
      out.push_back(s.path);
    }
    return out;
  }

  std::atomic<bool> widgets_crd_applied{ false };
  std::atomic<int> crd_gets{ 0 };
  FakeApi api;
};

constexpr const char* k_stream = R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: demo}
spec: {size: 3}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: demo}
data: {enabled: "yes"}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
---
apiVersion: v1
kind: Namespace
metadata: {name: demo}
)";

TEST_F(ApplyTest, NamespacesThenCrdsThenTheRest)
{
  Client client(api.access());
  auto applied = apply_manifest(client, k_stream, "app.yaml", {}, null_progress());
  ASSERT_TRUE(applied) << applied.error().message();
  ASSERT_EQ(applied->size(), 4u);
  const auto paths = patched_paths();
  ASSERT_EQ(paths.size(), 4u);
  EXPECT_EQ(paths[0], "/api/v1/namespaces/demo");
  EXPECT_EQ(paths[1], "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
  // The last two run in parallel: either order.
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/apis/example.com/v1/namespaces/demo/widgets/w"), paths.end());
  EXPECT_GE(crd_gets.load(), 2);
  const auto cm = api.seen("PATCH", "/api/v1/namespaces/demo/configmaps/cm");
  ASSERT_EQ(cm.size(), 1u);
  EXPECT_EQ(json::parse(cm[0].body)["data"]["enabled"], "yes");
}

TEST_F(ApplyTest, BrokenDocumentAppliesNothing)
{
  Client client(api.access());
  const std::string broken = std::string(k_stream) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x\n";
  auto applied = apply_manifest(client, broken, "app.yaml", {}, null_progress());
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(applied.error().message(), "app.yaml:29: document 5: end of sequence flow not found");
  EXPECT_TRUE(patched_paths().empty());
}

TEST_F(ApplyTest, UnknownKindOrMissingNameAppliesNothing)
{
  Client client(api.access());
  auto unknown = apply_manifest(client,
                                "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                                "apiVersion: example.com/v1\nkind: Sprocket\nmetadata: {name: s}\n",
                                "x.yaml",
                                {},
                                null_progress());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message(),
            "x.yaml:5: document 2: the server context \"fake\" (" + api.url() +
              ") does not serve example.com/v1 (is its CRD installed?)");
  auto nameless =
    apply_manifest(client, "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "y.yaml", {}, null_progress());
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().message(), "y.yaml:1: document 1: metadata.name is missing (v1 ConfigMap)");
  EXPECT_TRUE(patched_paths().empty());
}

TEST_F(ApplyTest, ServerRejectionNamesTheDocumentAndCountsWhatWasApplied)
{
  api.routes().Patch("/api/v1/namespaces/demo/configmaps/bad", [](const httplib::Request&, httplib::Response& res) {
    FakeApi::status(res, 422, "Invalid", "ConfigMap \"bad\" is invalid: data[a b]: Invalid value: \"a b\"");
  });
  Client client(api.access());
  auto applied = apply_manifest(client,
                                "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: demo}\n",
                                "z.yaml",
                                {},
                                null_progress());
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(applied.error().message(),
            "z.yaml:5: document 2: apply ConfigMap demo/bad: ConfigMap \"bad\" is invalid: data[a b]: Invalid value: "
            "\"a b\" (1 of 2 objects were applied before this error)");
}

TEST_F(ApplyTest, CreateOnlyLeavesExistingObjectsAlone)
{
  api.routes().Post("/api/v1/namespaces/demo/configmaps", [](const httplib::Request&, httplib::Response& res) {
    FakeApi::status(res, 409, "AlreadyExists", "configmaps \"cm\" already exists");
  });
  api.routes().Get("/api/v1/namespaces/demo/configmaps/cm", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"metadata":{"name":"cm","namespace":"demo"}})", "application/json");
  });
  Client client(api.access());
  ManifestOptions options;
  options.create_only = true;
  auto applied = apply_manifest(client,
                                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: demo}\n",
                                "c.yaml",
                                options,
                                null_progress());
  ASSERT_TRUE(applied) << applied.error().message();
  ASSERT_EQ(applied->size(), 1u);
  EXPECT_EQ((*applied)[0].action, "exists");
  EXPECT_TRUE(patched_paths().empty());
}

} // namespace
} // namespace ocne::k8s
