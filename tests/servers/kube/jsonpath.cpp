#include "tests/servers/kube/jsonpath.hpp"

#include <vector>

namespace ocne::test::kube {

namespace {

struct Step
{
  enum class Kind { field, index, wildcard, filter } kind = Kind::field;
  std::string name;
  long index = 0;
  std::string filter_path; // after "@."
  bool filter_equals = true;
  Json filter_value;
};

std::string
read_name(const std::string& p, std::size_t& i)
{
  std::string out;
  while (i < p.size() && p[i] != '.' && p[i] != '[') {
    if (p[i] == '\\' && i + 1 < p.size()) {
      out += p[i + 1];
      i += 2;
      continue;
    }
    out += p[i++];
  }
  return out;
}

bool
parse(const std::string& text, std::vector<Step>& steps)
{
  std::string p = text;
  if (!p.empty() && p.front() == '{' && p.back() == '}') {
    p = p.substr(1, p.size() - 2);
  }
  std::size_t i = 0;
  if (!p.empty() && p[0] == '$') {
    ++i;
  }
  while (i < p.size()) {
    if (p[i] == '.') {
      ++i;
      Step s;
      s.name = read_name(p, i);
      if (s.name == "*") {
        s.kind = Step::Kind::wildcard;
      }
      if (!s.name.empty()) {
        steps.push_back(s);
      }
      continue;
    }
    if (p[i] != '[') {
      Step s;
      s.name = read_name(p, i);
      steps.push_back(s);
      continue;
    }
    const auto close = p.find(']', i);
    if (close == std::string::npos) {
      return false;
    }
    std::string inner = p.substr(i + 1, close - i - 1);
    i = close + 1;
    Step s;
    if (inner == "*") {
      s.kind = Step::Kind::wildcard;
    } else if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"')) {
      s.name = inner.substr(1, inner.size() - 2);
    } else if (inner.rfind("?(", 0) == 0 && inner.back() == ')') {
      std::string expr = inner.substr(2, inner.size() - 3);
      auto op = expr.find("==");
      s.filter_equals = true;
      if (op == std::string::npos) {
        op = expr.find("!=");
        s.filter_equals = false;
      }
      if (op == std::string::npos || expr.rfind("@.", 0) != 0) {
        return false;
      }
      s.kind = Step::Kind::filter;
      s.filter_path = expr.substr(2, op - 2);
      std::string value = expr.substr(op + 2);
      while (!s.filter_path.empty() && s.filter_path.back() == ' ') {
        s.filter_path.pop_back();
      }
      while (!value.empty() && value.front() == ' ') {
        value.erase(0, 1);
      }
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
        s.filter_value = value.substr(1, value.size() - 2);
      } else {
        try {
          s.filter_value = Json::parse(value);
        } catch (const Json::exception&) {
          s.filter_value = value;
        }
      }
    } else {
      try {
        s.kind = Step::Kind::index;
        s.index = std::stol(inner);
      } catch (const std::exception&) {
        return false;
      }
    }
    steps.push_back(s);
  }
  return true;
}

void
walk(const Json& node, const std::vector<Step>& steps, std::size_t at, std::vector<Json>& out)
{
  if (at == steps.size()) {
    out.push_back(node);
    return;
  }
  const Step& s = steps[at];
  switch (s.kind) {
    case Step::Kind::field:
      if (const Json* c = child(node, s.name)) {
        walk(*c, steps, at + 1, out);
      }
      return;
    case Step::Kind::index:
      if (node.is_array()) {
        const long n = static_cast<long>(node.size());
        const long i = s.index < 0 ? n + s.index : s.index;
        if (i >= 0 && i < n) {
          walk(node[static_cast<std::size_t>(i)], steps, at + 1, out);
        }
      }
      return;
    case Step::Kind::wildcard:
      if (node.is_array() || node.is_object()) {
        for (const auto& v : node) {
          walk(v, steps, at + 1, out);
        }
      }
      return;
    case Step::Kind::filter:
      if (node.is_array()) {
        std::vector<Step> sub;
        parse("." + s.filter_path, sub);
        for (const auto& item : node) {
          std::vector<Json> found;
          walk(item, sub, 0, found);
          const bool eq = !found.empty() && found[0] == s.filter_value;
          if (eq == s.filter_equals) {
            walk(item, steps, at + 1, out);
          }
        }
      }
      return;
  }
}

} // namespace

std::optional<Json>
jsonpath_find(const Json& root, const std::string& path)
{
  std::vector<Step> steps;
  if (!parse(path, steps)) {
    return std::nullopt;
  }
  std::vector<Json> out;
  walk(root, steps, 0, out);
  if (out.empty()) {
    return std::nullopt;
  }
  if (out.size() == 1) {
    return out[0];
  }
  Json arr = Json::array();
  for (auto& v : out) {
    arr.push_back(std::move(v));
  }
  return arr;
}

} // namespace ocne::test::kube
