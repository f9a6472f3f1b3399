#pragma once

// Label selectors (a=b, a!=b, a in (x,y), a notin (x), a, !a, a>1) and field
// selectors (metadata.name=x, metadata.namespace!=y, plus the few fields a
// kind supports). Parse errors throw a 400 ApiError with kube-apiserver's text.

#include "tests/servers/kube/json_util.hpp"

#include <map>
#include <string>
#include <vector>

namespace ocne::test::kube {

class LabelSelector
{
public:
  enum class Op { exists, not_exists, equals, not_equals, in, not_in, greater, less };
  struct Requirement
  {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  // Empty text selects everything.
  static LabelSelector parse(const std::string& text);
  bool matches(const Json& labels) const; // labels: object or null
  bool
  empty() const
  {
    return m_requirements.empty();
  }
  const std::vector<Requirement>&
  requirements() const
  {
    return m_requirements;
  }

private:
  std::vector<Requirement> m_requirements;
};

class FieldSelector
{
public:
  struct Term
  {
    std::string field;
    bool equals; // false for !=
    std::string value;
  };

  // supported: the field paths the kind allows (metadata.name and
  // metadata.namespace always). custom_resource picks the error text.
  static FieldSelector parse(const std::string& text, const std::vector<std::string>& supported, bool custom_resource);
  bool matches(const Json& object) const;
  bool
  empty() const
  {
    return m_terms.empty();
  }
  // The name metadata.name=<x> pins, or "".
  std::string exact_name() const;
  const std::vector<Term>&
  terms() const
  {
    return m_terms;
  }

private:
  std::vector<Term> m_terms;
};

// The value at a dotted path ("spec.nodeName") as a field selector sees it:
// strings as they are, booleans and numbers as text, absent as "".
std::string field_value(const Json& object, const std::string& dotted);

// A metav1.LabelSelector object (matchLabels, matchExpressions) against
// labels; a null selector matches everything (webhooks' objectSelector).
bool label_selector_matches(const Json* selector, const Json& labels);

} // namespace ocne::test::kube
