#pragma once

// A small evaluator for the simple shapes of CEL validation rules
// (x-kubernetes-validations) that CRDs carry: literals and lists; self and
// its fields (self.x, self['x'], has(self.x)); indexing; ! && || ?:;
// == != < <= > >= in; + - * / %; size(), contains(), startsWith(),
// endsWith(), split(), matches(); and the macros all, exists, exists_one,
// filter and map. Anything else (oldSelf transition rules, other functions,
// a regex std::regex cannot compile) fails to compile: the caller reports
// the rule as not enforced instead of accepting it silently.

#include "tests/servers/kube/json_util.hpp"

#include <memory>
#include <string>

namespace ocne::test::kube::cel {

struct Node;

class Program
{
public:
  explicit Program(std::shared_ptr<const Node> root) : m_root(std::move(root))
  {
  }

  // True when the rule holds for self; throws std::runtime_error with CEL's
  // kind of message ("no such key: x") when evaluation fails.
  bool holds(const Json& self) const;

private:
  std::shared_ptr<const Node> m_root;
};

struct Compiled
{
  std::shared_ptr<const Program> program; // null when not supported
  std::string error;                      // why not, when program is null
};

Compiled compile(const std::string& rule);

} // namespace ocne::test::kube::cel
