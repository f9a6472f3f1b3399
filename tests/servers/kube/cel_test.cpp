// The CEL rules (x-kubernetes-validations) the Kubernetes test server
// enforces, and the ones it reports as not enforced when a CRD loads.

#include "tests/servers/kube/cel.hpp"

#include "tests/servers/kube/kube_server.hpp"
#include "tests/servers/kube/schema.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

namespace ocne::test::kube {
namespace {

bool
holds(const std::string& rule, const Json& self)
{
  const auto c = cel::compile(rule);
  EXPECT_TRUE(c.program) << rule << ": " << c.error;
  return c.program && c.program->holds(self);
}

std::string
unsupported(const std::string& rule)
{
  const auto c = cel::compile(rule);
  EXPECT_FALSE(c.program) << rule;
  return c.error;
}

// The six shapes the shared Cluster API CRDs use, on values that pass and
// values that fail.
TEST(Cel, EvaluatesTheRuleShapesOfTheSharedCrds)
{
  const std::string taint = "self.contains('/') ? ( self.split('/') [0].size() <= 253 && self.split('/') [1].size() "
                            "<= 63 && self.split('/').size() == 2 ) : self.size() <= 63";
  EXPECT_TRUE(holds(taint, "node.kubernetes.io/unreachable"));
  EXPECT_TRUE(holds(taint, std::string(63, 'k')));
  EXPECT_FALSE(holds(taint, std::string(64, 'k')));
  EXPECT_FALSE(holds(taint, "a/b/c"));
  EXPECT_FALSE(holds(taint, "example.com/" + std::string(64, 'k')));

  const std::string unique = "self.all(x, self.exists_one(y, x.name == y.name))";
  EXPECT_TRUE(holds(unique, Json::parse(R"([{"name": "a", "value": "1"}, {"name": "b", "value": "1"}])")));
  EXPECT_FALSE(holds(unique, Json::parse(R"([{"name": "a", "value": "1"}, {"name": "a", "value": "2"}])")));
  EXPECT_TRUE(holds("self.all(x, self.exists_one(y, x == y))", Json::parse(R"(["a", "b"])")));
  EXPECT_FALSE(holds("self.all(x, self.exists_one(y, x == y))", Json::parse(R"(["a", "a"])")));

  const std::string not_in =
    "!(self in ['Ready','Available','HealthCheckSucceeded','OwnerRemediated','ExternallyRemediated'])";
  EXPECT_TRUE(holds(not_in, "NodeReady"));
  EXPECT_FALSE(holds(not_in, "Ready"));

  const std::string partition = "self.matches('^(Linux|LinuxSwap|LinuxRAID|LVM|Fat32|NTFS|LinuxExtended|[0-9A-Fa-f]{8}"
                                "(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})$')";
  EXPECT_TRUE(holds(partition, "LVM"));
  EXPECT_TRUE(holds(partition, "0fc63daf-8483-4772-8e79-3d69d8477de4"));
  EXPECT_FALSE(holds(partition, "ext4"));

  const std::string one_of = "[has(self.layout),has(self.diskLayout)].filter(x,x==true).size() == 1";
  EXPECT_TRUE(holds(one_of, Json::parse(R"({"layout": true})")));
  EXPECT_FALSE(holds(one_of, Json::parse(R"({})")));
  EXPECT_FALSE(holds(one_of, Json::parse(R"({"layout": true, "diskLayout": []})")));
}

TEST(Cel, ComparesFieldsAndReportsEvaluationErrors)
{
  EXPECT_TRUE(
    holds("self.min <= self.max && size(self.name) > 0", Json::parse(R"({"min": 1, "max": 2, "name": "a"})")));
  EXPECT_FALSE(holds("self.min <= self.max", Json::parse(R"({"min": 3, "max": 2})")));
  EXPECT_TRUE(holds("!has(self.x) || self.x.startsWith('v')", Json::parse(R"({})")));
  EXPECT_TRUE(holds("self['a-b'] == 'c' && self.n % 2 == 1 && -self.n < 0", Json::parse(R"({"a-b": "c", "n": 3})")));
  const auto c = cel::compile("self.x == 1");
  ASSERT_TRUE(c.program);
  try {
    c.program->holds(Json::object());
    ADD_FAILURE() << "expected an evaluation error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "no such key: x");
  }
}

TEST(Cel, RefusesWhatItCannotEvaluate)
{
  EXPECT_EQ(unsupported("self == oldSelf"), "transition rule (oldSelf): the old object is not passed to validation");
  EXPECT_EQ(unsupported("self.x.lowerAscii() == 'a'"), "function lowerAscii() is not supported");
  EXPECT_EQ(unsupported("isURL(self)"), "function isURL() is not supported");
  EXPECT_EQ(unsupported("self.matches('(?i)abc')"), "the pattern of matches() does not compile in std::regex");
  EXPECT_EQ(unsupported("self.d == 1.5"), "only integer literals are supported");
}

const char* const k_rules_schema = R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "x-kubernetes-validations": [
        {"rule": "self.min <= self.max", "message": "min must not exceed max"},
        {"rule": "self == oldSelf", "message": "spec is immutable"}
      ],
      "properties": {
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "name": {"type": "string", "pattern": "^(?i)abc$",
                 "x-kubernetes-validations": [{"rule": "self.size() <= 5"}]}
      }
    }
  }
})";

TEST(Cel, SchemasEnforceRulesAsTheApiServerReportsThemAndListTheOthers)
{
  const auto s = compile_schema(Json::parse(k_rules_schema));
  std::vector<FieldError> errs;
  validate(Json::parse(R"({"spec": {"min": 3, "max": 2, "name": "abcdefg"}})"), *s, "", errs);
  std::vector<std::string> text;
  for (const auto& e : errs) {
    text.push_back(e.to_string());
  }
  EXPECT_EQ(text,
            (std::vector<std::string>{ R"(spec.name: Invalid value: "string": failed rule: self.size() <= 5)",
                                       R"(spec: Invalid value: "object": min must not exceed max)" }));
  const auto unchecked = unchecked_rules(*s);
  ASSERT_EQ(unchecked.size(), 2u);
  EXPECT_EQ(unchecked[0].path, ".spec");
  EXPECT_EQ(unchecked[0].what, "self == oldSelf");
  EXPECT_EQ(unchecked[1].path, ".spec.name");
  EXPECT_EQ(unchecked[1].what, "pattern: ^(?i)abc$");
  EXPECT_EQ(unchecked[1].why, "std::regex cannot compile it (RE2 syntax)");
}

// The shared CRDs' rules are all enforced (none is unchecked), and a
// Machine with a bad taint key is refused with a 422 the way
// kube-apiserver refuses it.
TEST(Cel, TheSharedCrdsRulesAreEnforced)
{
  OCNE_REQUIRE_SHARED();
  ServerOptions o;
  for (const char* provider : { "capi", "oci", "oxide" }) {
    o.crd_paths.push_back(shared_path("crds") / provider);
  }
  KubeTestServer server(o);
  server.start();
  EXPECT_EQ(server.unchecked_rules(), std::vector<std::string>{});

  // The shared CRDs hold 33 rules, each in its own x-kubernetes-validations
  // list ("grep -c x-kubernetes-validations" says 49: 12 lines of
  // descriptions and 4 ClusterClass variable-schema fields of that name).
  // Counted so a new or changed CRD file is noticed here and in the docs.
  std::size_t rules = 0;
  for (const char* provider : { "capi", "oci", "oxide" }) {
    for (const auto& f : std::filesystem::directory_iterator(shared_path("crds") / provider)) {
      if (f.path().extension() != ".yaml") {
        continue;
      }
      std::ifstream in(f.path());
      std::string line;
      bool after_key = false;
      while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(' ');
        if (after_key && first != std::string::npos) {
          rules += line.compare(first, 2, "- ") == 0 ? 1 : 0;
          after_key = false;
        }
        after_key = first != std::string::npos && line.compare(first, 25, "x-kubernetes-validations:") == 0 &&
                    line.size() == first + 25;
      }
    }
  }
  EXPECT_EQ(rules, 33u);

  Json machine = {
    { "apiVersion", "cluster.x-k8s.io/v1beta2" },
    { "kind", "Machine" },
    { "metadata", { { "name", "m" }, { "namespace", "default" } } },
    { "spec",
      { { "clusterName", "demo" },
        { "bootstrap", { { "dataSecretName", "x" } } },
        { "infrastructureRef",
          { { "apiGroup", "infrastructure.cluster.x-k8s.io" }, { "kind", "OCIMachine" }, { "name", "m" } } },
        { "taints",
          Json::array(
            { { { "key", std::string(64, 'k') }, { "effect", "NoSchedule" }, { "propagation", "Always" } } }) } } }
  };
  try {
    server.create(machine);
    ADD_FAILURE() << "a taint key of 64 characters was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
    EXPECT_NE(
      e.message().find(
        R"(spec.taints[0].key: Invalid value: "string": key must be a valid qualified name of max size 63 characters)"),
      std::string::npos)
      << e.message();
  }
  machine["spec"]["taints"][0]["key"] = "example.com/role";
  EXPECT_NO_THROW(server.create(machine));
}

} // namespace
} // namespace ocne::test::kube
