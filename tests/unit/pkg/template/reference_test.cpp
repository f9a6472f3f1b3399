#include "pkg/template/reference.hpp"

#include <gtest/gtest.h>

namespace ocne::tmpl {
namespace {

TEST(References, ParsesEveryOperator)
{
  const auto parsed = parse_references("a ${A} ${B:=b} ${C:-c} ${D=d} ${E-e} ${ F } $${G}");
  ASSERT_TRUE(parsed.errors.empty());
  std::vector<std::pair<std::string, Reference::Op>> refs;
  std::string literal;
  for (const auto& p : parsed.pieces) {
    if (p.ref) {
      refs.emplace_back(p.ref->name, p.ref->op);
      literal += "@";
    } else {
      literal += p.literal;
    }
  }
  using Op = Reference::Op;
  EXPECT_EQ(refs,
            (std::vector<std::pair<std::string, Op>>{ { "A", Op::none },
                                                      { "B", Op::default_if_empty },
                                                      { "C", Op::default_if_empty },
                                                      { "D", Op::default_if_unset },
                                                      { "E", Op::default_if_unset },
                                                      { "F", Op::none } }));
  EXPECT_EQ(literal, "a @ @ @ @ @ @ ${G}");
}

TEST(References, DefaultsMayHoldReferencesAndQuotes)
{
  const auto parsed = parse_references("x: ${POD_CIDR:=\"192.168.0.0/16\"}\ny: ${A:=${B}-z}\n");
  ASSERT_TRUE(parsed.errors.empty());
  const auto vars = list_variables(parsed);
  ASSERT_EQ(vars.size(), 3U);
  EXPECT_EQ(vars[0].name, "A");
  EXPECT_FALSE(vars[0].required);
  EXPECT_EQ(vars[0].default_text, "${B}-z");
  EXPECT_EQ(vars[1].name, "B");
  EXPECT_TRUE(vars[1].required);
  EXPECT_EQ(vars[1].lines, std::vector<int>{ 2 });
  EXPECT_EQ(vars[2].name, "POD_CIDR");
  EXPECT_EQ(vars[2].default_text, "\"192.168.0.0/16\"");
  EXPECT_EQ(vars[2].lines, std::vector<int>{ 1 });
}

TEST(References, ReportsEveryMalformedReferenceWithItsLine)
{
  const auto parsed = parse_references("a: ${FOO\nb: ${}\nc: ${1X}\nd: ${A:?x}\ne: ${A B}\nf: ${A:=${B}\ng: ${OK}\n");
  std::vector<std::string> messages;
  for (const auto& e : parsed.errors) {
    messages.push_back(std::to_string(e.line) + ": " + e.message);
  }
  EXPECT_EQ(messages,
            (std::vector<std::string>{
              "1: malformed variable reference \"${FOO\": no closing '}' on this line",
              "2: malformed variable reference \"${}\": no variable name",
              "3: malformed variable reference \"${1X}\": a variable name starts with a letter or '_' and holds only "
              "letters, digits and '_'",
              "4: malformed variable reference \"${A:?x}\": unsupported operator ':?'; use ${A}, ${A:=default}, "
              "${A:-default}, ${A=default} or ${A-default}",
              "5: malformed variable reference \"${A B}\": unexpected text after the variable name; use ${A}, "
              "${A:=default}, ${A:-default}, ${A=default} or ${A-default}",
              "6: malformed variable reference \"${A:=${B}\": no closing '}' on this line",
            }));
  // Parsing went on after each error: the last reference is still found.
  ASSERT_FALSE(parsed.pieces.empty());
  EXPECT_TRUE(parsed.pieces[parsed.pieces.size() - 2].ref);
  EXPECT_EQ(parsed.pieces[parsed.pieces.size() - 2].ref->name, "OK");
}

} // namespace
} // namespace ocne::tmpl
