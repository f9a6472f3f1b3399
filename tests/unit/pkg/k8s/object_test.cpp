#include "pkg/k8s/object.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::k8s {
namespace {

using nlohmann::json;

TEST(NodeReady, TrueOnlyWhenTheReadyConditionIsTrueAndOtherwiseSaysWhy)
{
  std::string why;
  EXPECT_TRUE(node_ready(json::parse(R"({"status":{"conditions":[
    {"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}]}})"),
                         why));

  EXPECT_FALSE(node_ready(json::parse(R"({"status":{"conditions":[
    {"type":"Ready","status":"False","reason":"KubeletNotReady","message":"cni plugin not initialized"}]}})"),
                          why));
  EXPECT_EQ(why, "Ready=False (KubeletNotReady: cni plugin not initialized)");

  EXPECT_FALSE(node_ready(json::parse(R"({"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})"), why));
  EXPECT_EQ(why, "Ready=Unknown (?: )");

  // Missing or mistyped parts never throw.
  for (const auto* text :
       { R"({})", R"({"status":{}})", R"({"status":"x"})", R"({"status":{"conditions":[1]}})", "[]" }) {
    EXPECT_FALSE(node_ready(json::parse(text), why)) << text;
    EXPECT_EQ(why, "no Ready condition") << text;
  }
}

} // namespace
} // namespace ocne::k8s
