#include "pkg/template/render.hpp"

#include "pkg/template/yaml_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace ocne::tmpl {
namespace {

using Json = nlohmann::ordered_json;

Variables
vars(std::initializer_list<std::pair<const char*, Value>> list)
{
  Variables v;
  for (const auto& [name, value] : list) {
    v.set(name, value);
  }
  return v;
}

std::string
ok(std::string_view text, const Variables& v)
{
  auto r = render(text, v, { "t.yaml" });
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? *r : std::string();
}

std::string
err(std::string_view text, const Variables& v)
{
  auto r = render(text, v, { "t.yaml" });
  EXPECT_FALSE(r.has_value()) << *r;
  return r ? std::string() : r.error().message();
}

TEST(Render, DefaultsFollowTheShellRules)
{
  const auto v = vars({ { "SET", Value::text("s") }, { "EMPTY", Value::text("") } });
  EXPECT_EQ(ok("a: ${SET:=d}\nb: ${EMPTY:=d}\nc: ${EMPTY=d}\nd: ${UNSET=d}\ne: ${UNSET:-d}\nf: ${EMPTY-d}\n", v),
            "a: s\nb: d\nc: \nd: d\ne: d\nf: \n");
}

TEST(Render, DefaultsAreTemplateTextAndMayNest)
{
  const auto v = vars({ { "B", Value::text("b") } });
  EXPECT_EQ(ok("cidr: ${POD_CIDR:=\"192.168.0.0/16\"}\nname: ${A:=${B}-x}\n", v),
            "cidr: \"192.168.0.0/16\"\nname: b-x\n");
  EXPECT_EQ(ok("cidr: ${POD_CIDR:=\"192.168.0.0/16\"}\n", vars({ { "POD_CIDR", Value::text("10.0.0.0/8") } })),
            "cidr: 10.0.0.0/8\n");
}

TEST(Render, TextValuesLetYamlPickTheType)
{
  const auto v = vars({ { "N", Value::text("3") }, { "V", Value::text("v1.33.5") } });
  EXPECT_EQ(ok("replicas: ${N}\nversion: \"${V}\"\n", v), "replicas: 3\nversion: \"v1.33.5\"\n");
}

TEST(Render, StringValuesStayStrings)
{
  const auto v = vars({ { "OCPUS", Value::string("2") }, { "ON", Value::string("on") }, { "N", Value::integer(2) } });
  EXPECT_EQ(ok("ocpus: ${OCPUS}\nflag: ${ON}\ncount: ${N}\n", v), "ocpus: \"2\"\nflag: \"on\"\ncount: 2\n");
}

TEST(Render, HostileValuesAreQuotedForTheirPlace)
{
  const auto v = vars({ { "X", Value::text("a: b # c \"d\" 'e'\nf") } });
  EXPECT_EQ(ok("plain: ${X}\n", v), "plain: |-\n  a: b # c \"d\" 'e'\n  f\n");
  EXPECT_EQ(ok("dq: \"pre ${X}\"\n", v), "dq: \"pre a: b # c \\\"d\\\" 'e'\\nf\"\n");
  EXPECT_EQ(ok("name: ${X}-md-0\n", v), "name: \"a: b # c \\\"d\\\" 'e'\\nf-md-0\"\n");
  EXPECT_EQ(ok("- ${X} # note\n", v), "- \"a: b # c \\\"d\\\" 'e'\\nf\" # note\n");
  EXPECT_EQ(ok("list: [a, ${X}, b]\n", v), "list: [a, \"a: b # c \\\"d\\\" 'e'\\nf\", b]\n");
  EXPECT_EQ(ok("# about ${X}\nk: v\n", v), "# about a: b # c \\\"d\\\" 'e'\\nf\nk: v\n");
  EXPECT_EQ(ok("${X}: v\n", vars({ { "X", Value::text("k: #x") } })), "\"k: #x\": v\n");
  EXPECT_EQ(ok("sq: 'it ${Y}'\n", vars({ { "Y", Value::text("isn't") } })), "sq: 'it isn''t'\n");
}

TEST(Render, BlockScalarsKeepTheirIndentation)
{
  const auto v = vars({ { "X", Value::text("line1\nline2\n\nline4") } });
  EXPECT_EQ(ok("s: |\n  start ${X}\n  end\nnext: 1\n", v), "s: |\n  start line1\n  line2\n\n  line4\n  end\nnext: 1\n");
}

TEST(Render, NodesBecomeYamlBlocks)
{
  const Json labels = { { "app", "demo" }, { "tier", "1" } };
  const Json cidrs = Json::array({ "10.0.0.0/16", "10.1.0.0/16" });
  const auto v = vars({ { "LABELS", Value::node(labels) },
                        { "CIDRS", Value::node(cidrs) },
                        { "NONE", Value::node(Json::object()) },
                        { "ITEM", Value::node(Json{ { "name", "a" }, { "port", 80 } }) } });
  const std::string tmpl = "metadata:\n"
                           "  labels: ${LABELS}\n"
                           "  annotations: ${NONE}\n"
                           "spec:\n"
                           "  ${LABELS}\n"
                           "  ${NONE}\n"
                           "  cidrs: ${CIDRS}\n"
                           "  flow: [${CIDRS}]\n"
                           "  items:\n"
                           "  - ${ITEM}\n"
                           "  - x\n";
  EXPECT_EQ(ok(tmpl, v),
            "metadata:\n"
            "  labels:\n"
            "    app: demo\n"
            "    tier: \"1\"\n"
            "  annotations: {}\n"
            "spec:\n"
            "  app: demo\n"
            "  tier: \"1\"\n"
            "  cidrs:\n"
            "    - \"10.0.0.0/16\"\n"
            "    - \"10.1.0.0/16\"\n"
            "  flow: [[\"10.0.0.0/16\", \"10.1.0.0/16\"]]\n"
            "  items:\n"
            "  - name: a\n"
            "    port: 80\n"
            "  - x\n");
}

TEST(Render, OmittedValuesLeaveTheirKeyOut)
{
  const auto v = vars({ { "POOL", Value::omit() }, { "KEYS", Value::omit() }, { "SET", Value::string("p") } });
  EXPECT_EQ(ok("spec:\n  ipPool: ${POOL}\n  vpc: v\n  keys:\n  - ${KEYS}\n  - k\n  ${POOL}\n  other: ${SET}\n", v),
            "spec:\n  vpc: v\n  keys:\n  - k\n  other: p\n");
  // Defaults treat "no value" as unset.
  EXPECT_EQ(ok("a: ${POOL:=d}\nb: ${POOL=e}\n", v), "a: d\nb: e\n");
  EXPECT_EQ(err("a: \"x${POOL}\"\n", v),
            "t.yaml:1: variable POOL has no value and can only leave out a whole value (after \"key: \", after \"- \" "
            "or on a line of its own)");
}

TEST(Render, ReportsEveryMissingVariableAtOnce)
{
  EXPECT_EQ(err("a: ${CLUSTER_NAME}\nb: ${OCI_IMAGE_ID}\nc: ${CLUSTER_NAME}-x\nd: ${OK:=1}\n", {}),
            "t.yaml: no value for required variables: CLUSTER_NAME (lines 1, 3), OCI_IMAGE_ID (line 2)");
  EXPECT_EQ(err("a: ${A:=${B}}\n", {}), "t.yaml: no value for required variable: B (line 1)");
}

TEST(Render, MalformedReferencesNameTheLine)
{
  EXPECT_EQ(err("a: 1\nb: ${FOO\nc: ${X:?y}\n", {}),
            "t.yaml:2: malformed variable reference \"${FOO\": no closing '}' on this line\n"
            "t.yaml:3: malformed variable reference \"${X:?y}\": unsupported operator ':?'; use ${X}, ${X:=default}, "
            "${X:-default}, ${X=default} or ${X-default}");
}

TEST(Render, ValuesThatCannotBeWrittenAreErrors)
{
  EXPECT_EQ(err("a: 'x ${V}'\n", vars({ { "V", Value::text("two\nlines") } })),
            "t.yaml:1: the value of V holds a line break or control character, which a single-quoted YAML string "
            "cannot hold; put ${V} in double quotes in the template");
  EXPECT_EQ(err("a: ${V}\n", vars({ { "V", Value::text("bad\xC3") } })), "t.yaml:1: the value of V is not valid UTF-8");
  EXPECT_EQ(err("a:\n  b: \"${L}\"\n", vars({ { "L", Value::node(Json::array({ 1 })) } })),
            "t.yaml:2: variable L holds a YAML list and must stand alone as a value (after \"key: \", after \"- \" "
            "or on a line of its own)");
  EXPECT_EQ(err("a:\n  ${S}\n", vars({ { "S", Value::node("x") } })),
            "t.yaml:2: variable S stands alone on its line, so it must hold a YAML mapping or list, not a scalar");
  EXPECT_EQ(err("s: |\n  ${V}\n", vars({ { "V", Value::text(" indented") } })),
            "t.yaml:2: the value of V starts with a space at the start of a block scalar, which would change the "
            "block's indentation");
  EXPECT_EQ(err("s: |\n  x ${V}\n", vars({ { "V", Value::text("bell\x07") } })),
            "t.yaml:2: the value of V holds a control character, which a YAML block scalar cannot hold");
}

TEST(Render, TemplatesThatAreNotYamlAreErrors)
{
  // yaml-cpp 0.7 loops forever on these (a ',' where no node can start);
  // the renderer reports them instead.
  EXPECT_EQ(err("# c\n,x: ${A}\n", vars({ { "A", Value::text("a") } })),
            "t.yaml:2: the template is not valid YAML: unexpected ',', which cannot start a node here");
  EXPECT_EQ(err("{a: ${A}}, b\n", vars({ { "A", Value::text("a") } })),
            "t.yaml:1: the template is not valid YAML: unexpected ',', which cannot start a node here");
  EXPECT_EQ(err("a: 1\n---\n${A:=,x}\n", {}),
            "t.yaml:3: the template is not valid YAML: unexpected ',', which cannot start a node here");
  // Found by the fuzzer: a ',' after a document end marker.
  EXPECT_EQ(err("a: ${A}\n...\t,?\n", vars({ { "A", Value::text("a") } })),
            "t.yaml:2: the template is not valid YAML: unexpected ',', which cannot start a node here");
  EXPECT_EQ(err("g\n{ #\n,\n", {}),
            "t.yaml:3: the template is not valid YAML: unexpected ',', which cannot start a node here");
  EXPECT_EQ(err("a: [1, 2\nb: ${X}\n", vars({ { "X", Value::text("x") } })).substr(0, 38),
            "t.yaml:2: the template is not valid YA");
}

// Every hostile string survives every context: the document parses and the
// scalar reads back as exactly the value (or value plus literal text).
TEST(Render, HostileValuesRoundTrip)
{
  const std::vector<std::string> values = {
    "plain", "a: b",   "a #b",       "#x",          "- item",   "? k",  "[x]",
    "{x}",   "*alias", "&anchor",    "!tag",        "|",        ">",    "'",
    "\"",    "\\",     "%",          "@",           "`",        "---",  "...",
    "a\nb",  "a\n\nb", "trailing\n", " lead",       "trail ",   "\t",   "yes",
    "No",    "~",      "null",       "1.5",         "0x1F",     "1e3",  "0777",
    "+1",    "-.inf",  ".nan",       "<<",          "=",        "",     "a,b",
    "a: ",   ":",      "x:",         "caf\xC3\xA9", "\xC2\x85", "a\rb", "k: {a: [1, 2]}"
  };
  const std::vector<std::pair<std::string, std::string>> contexts = {
    { "k: ${V}\n", "%" },
    { "k: \"${V}\"\n", "%" },
    { "k: ${V}-suffix\n", "%-suffix" },
    { "- ${V}\n", "%" },
    { "k: pre-${V}\n", "pre-%" },
    { "k:\n  - ${V}\n  - y\n", "%" },
    { "k: \"a ${V} b\"\n", "a % b" },
    { "${V}: v\n", "%" },
  };
  for (const auto& value : values) {
    for (const auto& [tmpl, expect] : contexts) {
      for (const auto kind : { Value::Kind::text, Value::Kind::string }) {
        if (kind == Value::Kind::text && value.empty() && expect == "%") {
          continue; // clusterctl semantics: an empty text value is null
        }
        Variables v;
        v.set("V", kind == Value::Kind::text ? Value::text(value) : Value::string(value));
        auto out = render(tmpl, v, { "t.yaml" });
        ASSERT_TRUE(out) << tmpl << " / " << value << ": " << out.error().message();
        YAML::Node doc;
        ASSERT_NO_THROW(doc = YAML::Load(*out)) << *out;
        std::string want = expect;
        want.replace(want.find('%'), 1, value);
        YAML::Node node;
        if (doc.IsSequence()) {
          node = doc[0];
        } else if (tmpl.rfind("${V}:", 0) == 0) {
          node = doc.begin()->first;
        } else if (doc["k"].IsSequence()) {
          node = doc["k"][0];
        } else {
          node = doc["k"];
        }
        const std::string got = node.IsNull() ? "<null>" : node.Scalar();
        const bool plain_whole = tmpl.find('"') == std::string::npos && expect == "%";
        if (kind == Value::Kind::text && plain_whole && (value == "~" || value == "null")) {
          want = "<null>"; // clusterctl semantics: YAML decides
        }
        EXPECT_EQ(got, want) << "template " << tmpl << "rendered as\n" << *out;
        if (kind == Value::Kind::string && tmpl == "k: ${V}\n") {
          // A string value is never read back as another type.
          const bool plain = yaml::plain_is_safe(value, false) && yaml::plain_reads_as_string(value);
          // Compared as strings (two string literals would compare as pointers).
          const std::string style = doc["k"].Tag() == "?" ? "plain" : "quoted";
          EXPECT_EQ(style, plain ? "plain" : "quoted") << "value " << value << " rendered as\n" << *out;
        }
      }
    }
  }
}

} // namespace
} // namespace ocne::tmpl
