#include "tests/servers/kube/selector.hpp"

#include "tests/servers/kube/api_error.hpp"

#include <gtest/gtest.h>

namespace ocne::test::kube {
namespace {

bool
match(const std::string& selector, const Json& labels)
{
  return LabelSelector::parse(selector).matches(labels);
}

TEST(LabelSelector, EqualityAndInequality)
{
  const Json labels = { { "app", "web" }, { "tier", "front" } };
  EXPECT_TRUE(match("app=web", labels));
  EXPECT_TRUE(match("app==web", labels));
  EXPECT_FALSE(match("app=db", labels));
  EXPECT_TRUE(match("app!=db", labels));
  EXPECT_TRUE(match("missing!=x", labels));
  EXPECT_TRUE(match("app=web,tier=front", labels));
  EXPECT_FALSE(match("app=web,tier=back", labels));
  EXPECT_TRUE(match("", labels));
  EXPECT_TRUE(match(" app = web , tier = front ", labels));
}

TEST(LabelSelector, SetsAndExistence)
{
  const Json labels = { { "env", "prod" }, { "cluster.x-k8s.io/cluster-name", "demo" } };
  EXPECT_TRUE(match("env in (prod, staging)", labels));
  EXPECT_FALSE(match("env in (dev)", labels));
  EXPECT_TRUE(match("env notin (dev,qa)", labels));
  EXPECT_FALSE(match("env notin (prod)", labels));
  EXPECT_TRUE(match("missing notin (x)", labels));
  EXPECT_TRUE(match("cluster.x-k8s.io/cluster-name", labels));
  EXPECT_FALSE(match("!cluster.x-k8s.io/cluster-name", labels));
  EXPECT_TRUE(match("!missing", labels));
  EXPECT_FALSE(match("missing", labels));
  EXPECT_FALSE(match("env", Json()));
}

TEST(LabelSelector, GreaterAndLessCompareIntegers)
{
  const Json labels = { { "rank", "7" } };
  EXPECT_TRUE(match("rank>5", labels));
  EXPECT_FALSE(match("rank<5", labels));
  EXPECT_FALSE(match("other>1", labels));
}

TEST(LabelSelector, RejectsBadSyntaxAndValuesWithBadRequest)
{
  try {
    LabelSelector::parse("app=bad value!");
    FAIL() << "expected an error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
    EXPECT_EQ(e.reason(), "BadRequest");
    EXPECT_EQ(e.message(), "found 'value', expected: ',' or 'end of string'");
  }
  try {
    LabelSelector::parse("app=-bad");
    FAIL() << "expected an error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.message().rfind("unable to parse requirement: values[0]: Invalid value: \"-bad\": a valid label must "
                                "be an empty string or consist of alphanumeric characters",
                                0),
              0U)
      << e.message();
  }
  EXPECT_THROW(LabelSelector::parse("env in ()"), ApiError);
  EXPECT_THROW(LabelSelector::parse("env in (a"), ApiError);
  EXPECT_THROW(LabelSelector::parse("rank>x"), ApiError);
  EXPECT_THROW(LabelSelector::parse("Bad Key=1"), ApiError);
}

TEST(FieldSelector, MatchesNameNamespaceAndKindFields)
{
  const Json obj = { { "metadata", { { "name", "a" }, { "namespace", "ns1" } } }, { "type", "Opaque" } };
  EXPECT_TRUE(FieldSelector::parse("metadata.name=a", {}, false).matches(obj));
  EXPECT_TRUE(FieldSelector::parse("metadata.name==a,metadata.namespace!=ns2", {}, false).matches(obj));
  EXPECT_FALSE(FieldSelector::parse("metadata.namespace=ns2", {}, false).matches(obj));
  EXPECT_TRUE(FieldSelector::parse("type=Opaque", { "type" }, false).matches(obj));
  EXPECT_EQ(FieldSelector::parse("metadata.name=a", {}, false).exact_name(), "a");
  try {
    FieldSelector::parse("spec.foo=1", {}, true);
    FAIL() << "expected an error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
    EXPECT_EQ(e.message(), "field label not supported: spec.foo");
  }
}

TEST(FieldSelector, ValuesMayEscapeCommasAndEquals)
{
  const Json obj = { { "metadata", { { "name", "a,b=c" } } } };
  EXPECT_TRUE(FieldSelector::parse(R"(metadata.name=a\,b\=c)", {}, false).matches(obj));
}

} // namespace
} // namespace ocne::test::kube
