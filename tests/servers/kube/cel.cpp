#include "tests/servers/kube/cel.hpp"

#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <vector>

namespace ocne::test::kube::cel {

using NodePtr = std::shared_ptr<const Node>;

struct Node
{
  enum class Kind {
    literal, // value
    list,    // args
    ident,   // name
    select,  // target.name
    index,   // target[args[0]]
    call,    // [target.]name(args)
    macro,   // target.name(var, args[0])
    has,     // has(args[0]) where args[0] is a select
    unary,   // name ("!" or "-") args[0]
    binary,  // args[0] name args[1]
    cond,    // args[0] ? args[1] : args[2]
  };
  Kind kind = Kind::literal;
  Json value;
  std::string name;
  std::string var;
  NodePtr target;
  std::vector<NodePtr> args;
  std::shared_ptr<const std::regex> regex; // matches() with a literal pattern
};

namespace {

// What the parser refuses: the caller reports the rule as not enforced.
struct Unsupported : std::runtime_error
{
  using std::runtime_error::runtime_error;
};

const std::vector<std::string> k_methods = { "size", "contains", "startsWith", "endsWith", "split", "matches" };
const std::vector<std::string> k_macros = { "all", "exists", "exists_one", "filter", "map" };

bool
one_of(const std::string& s, const std::vector<std::string>& list)
{
  for (const auto& x : list) {
    if (x == s) {
      return true;
    }
  }
  return false;
}

class Parser
{
public:
  explicit Parser(const std::string& text) : m_text(text)
  {
  }

  NodePtr
  parse()
  {
    auto node = conditional();
    skip_space();
    if (m_pos != m_text.size()) {
      throw Unsupported("unexpected '" + m_text.substr(m_pos, 10) + "'");
    }
    return node;
  }

private:
  void
  skip_space()
  {
    while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos])) != 0) {
      ++m_pos;
    }
  }
  bool
  eat(const std::string& token)
  {
    skip_space();
    if (m_text.compare(m_pos, token.size(), token) != 0) {
      return false;
    }
    // A word operator ("in") must not be the start of a longer word.
    if (std::isalpha(static_cast<unsigned char>(token[0])) != 0 && m_pos + token.size() < m_text.size() &&
        (std::isalnum(static_cast<unsigned char>(m_text[m_pos + token.size()])) != 0 ||
         m_text[m_pos + token.size()] == '_')) {
      return false;
    }
    m_pos += token.size();
    return true;
  }
  void
  expect(const std::string& token)
  {
    if (!eat(token)) {
      throw Unsupported("expected '" + token + "' at offset " + std::to_string(m_pos));
    }
  }
  static NodePtr
  make(Node n)
  {
    return std::make_shared<const Node>(std::move(n));
  }
  static NodePtr
  literal(Json value)
  {
    Node n;
    n.value = std::move(value);
    return make(std::move(n));
  }
  static NodePtr
  binary(std::string op, NodePtr a, NodePtr b)
  {
    Node n;
    n.kind = Node::Kind::binary;
    n.name = std::move(op);
    n.args = { std::move(a), std::move(b) };
    return make(std::move(n));
  }

  NodePtr
  conditional()
  {
    auto c = or_expr();
    if (!eat("?")) {
      return c;
    }
    auto a = conditional();
    expect(":");
    auto b = conditional();
    Node n;
    n.kind = Node::Kind::cond;
    n.args = { c, a, b };
    return make(std::move(n));
  }
  NodePtr
  or_expr()
  {
    auto a = and_expr();
    while (eat("||")) {
      a = binary("||", a, and_expr());
    }
    return a;
  }
  NodePtr
  and_expr()
  {
    auto a = relation();
    while (eat("&&")) {
      a = binary("&&", a, relation());
    }
    return a;
  }
  NodePtr
  relation()
  {
    auto a = addition();
    for (const char* op : { "==", "!=", "<=", ">=", "<", ">", "in" }) {
      if (eat(op)) {
        return binary(op, a, addition());
      }
    }
    return a;
  }
  NodePtr
  addition()
  {
    auto a = multiplication();
    for (;;) {
      if (eat("+")) {
        a = binary("+", a, multiplication());
      } else if (eat("-")) {
        a = binary("-", a, multiplication());
      } else {
        return a;
      }
    }
  }
  NodePtr
  multiplication()
  {
    auto a = unary();
    for (;;) {
      if (eat("*")) {
        a = binary("*", a, unary());
      } else if (eat("/")) {
        a = binary("/", a, unary());
      } else if (eat("%")) {
        a = binary("%", a, unary());
      } else {
        return a;
      }
    }
  }
  NodePtr
  unary()
  {
    skip_space();
    if (m_pos < m_text.size() && m_text[m_pos] == '!' && m_text.compare(m_pos, 2, "!=") != 0) {
      ++m_pos;
      Node n;
      n.kind = Node::Kind::unary;
      n.name = "!";
      n.args = { unary() };
      return make(std::move(n));
    }
    if (eat("-")) {
      Node n;
      n.kind = Node::Kind::unary;
      n.name = "-";
      n.args = { unary() };
      return make(std::move(n));
    }
    return member();
  }
  NodePtr
  member()
  {
    auto node = primary();
    for (;;) {
      if (eat(".")) {
        const auto name = identifier();
        if (!eat("(")) {
          Node n;
          n.kind = Node::Kind::select;
          n.target = node;
          n.name = name;
          node = make(std::move(n));
          continue;
        }
        if (one_of(name, k_macros)) {
          Node n;
          n.kind = Node::Kind::macro;
          n.target = node;
          n.name = name;
          n.var = identifier();
          expect(",");
          n.args = { conditional() };
          expect(")");
          node = make(std::move(n));
          continue;
        }
        if (!one_of(name, k_methods)) {
          throw Unsupported("function " + name + "() is not supported");
        }
        Node n;
        n.kind = Node::Kind::call;
        n.target = node;
        n.name = name;
        n.args = arguments();
        if (name == "matches") {
          if (n.args.size() != 1 || n.args[0]->kind != Node::Kind::literal || !n.args[0]->value.is_string()) {
            throw Unsupported("matches() needs a literal pattern");
          }
          try {
            n.regex = std::make_shared<const std::regex>(n.args[0]->value.get<std::string>(), std::regex::ECMAScript);
          } catch (const std::regex_error&) {
            throw Unsupported("the pattern of matches() does not compile in std::regex");
          }
        }
        node = make(std::move(n));
      } else if (eat("[")) {
        Node n;
        n.kind = Node::Kind::index;
        n.target = node;
        n.args = { conditional() };
        expect("]");
        node = make(std::move(n));
      } else {
        return node;
      }
    }
  }
  std::vector<NodePtr>
  arguments()
  {
    std::vector<NodePtr> args;
    if (eat(")")) {
      return args;
    }
    do {
      args.push_back(conditional());
    } while (eat(","));
    expect(")");
    return args;
  }
  std::string
  identifier()
  {
    skip_space();
    const auto start = m_pos;
    while (m_pos < m_text.size() &&
           (std::isalnum(static_cast<unsigned char>(m_text[m_pos])) != 0 || m_text[m_pos] == '_')) {
      ++m_pos;
    }
    if (start == m_pos || std::isdigit(static_cast<unsigned char>(m_text[start])) != 0) {
      throw Unsupported("expected a name at offset " + std::to_string(start));
    }
    return m_text.substr(start, m_pos - start);
  }
  NodePtr
  primary()
  {
    skip_space();
    if (m_pos >= m_text.size()) {
      throw Unsupported("unexpected end");
    }
    const char c = m_text[m_pos];
    if (c == '(') {
      ++m_pos;
      auto node = conditional();
      expect(")");
      return node;
    }
    if (c == '[') {
      ++m_pos;
      Node n;
      n.kind = Node::Kind::list;
      if (!eat("]")) {
        do {
          n.args.push_back(conditional());
        } while (eat(","));
        expect("]");
      }
      return make(std::move(n));
    }
    if (c == '\'' || c == '"') {
      return literal(string_literal(c));
    }
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      const auto start = m_pos;
      while (m_pos < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[m_pos])) != 0) {
        ++m_pos;
      }
      if (m_pos < m_text.size() && (m_text[m_pos] == '.' || m_text[m_pos] == 'u' || m_text[m_pos] == 'e')) {
        throw Unsupported("only integer literals are supported");
      }
      return literal(std::stoll(m_text.substr(start, m_pos - start)));
    }
    const auto name = identifier();
    if (name == "true" || name == "false") {
      return literal(name == "true");
    }
    if (name == "null") {
      return literal(nullptr);
    }
    if (eat("(")) {
      if (name == "has") {
        auto arg = conditional();
        expect(")");
        if (arg->kind != Node::Kind::select) {
          throw Unsupported("has() needs a field selection");
        }
        Node n;
        n.kind = Node::Kind::has;
        n.args = { arg };
        return make(std::move(n));
      }
      if (name != "size") {
        throw Unsupported("function " + name + "() is not supported");
      }
      Node n;
      n.kind = Node::Kind::call;
      n.name = name;
      n.args = arguments();
      return make(std::move(n));
    }
    if (name == "oldSelf") {
      throw Unsupported("transition rule (oldSelf): the old object is not passed to validation");
    }
    Node n;
    n.kind = Node::Kind::ident;
    n.name = name;
    return make(std::move(n));
  }
  std::string
  string_literal(char quote)
  {
    if (m_text.compare(m_pos, 3, std::string(3, quote)) == 0) {
      throw Unsupported("triple-quoted strings are not supported");
    }
    ++m_pos;
    std::string out;
    while (m_pos < m_text.size() && m_text[m_pos] != quote) {
      char ch = m_text[m_pos++];
      if (ch == '\\') {
        if (m_pos >= m_text.size()) {
          break;
        }
        const char e = m_text[m_pos++];
        switch (e) {
          case 'n':
            ch = '\n';
            break;
          case 't':
            ch = '\t';
            break;
          case '\\':
          case '\'':
          case '"':
            ch = e;
            break;
          default:
            throw Unsupported(std::string("escape \\") + e + " is not supported");
        }
      }
      out += ch;
    }
    if (m_pos >= m_text.size()) {
      throw Unsupported("unterminated string");
    }
    ++m_pos;
    return out;
  }

  const std::string& m_text;
  std::size_t m_pos = 0;
};

using Env = std::map<std::string, Json>;

[[noreturn]] void
fail(const std::string& what)
{
  throw std::runtime_error(what);
}

const char*
type_name(const Json& v)
{
  if (v.is_string()) {
    return "string";
  }
  if (v.is_boolean()) {
    return "bool";
  }
  if (v.is_number_integer()) {
    return "int";
  }
  if (v.is_number()) {
    return "double";
  }
  if (v.is_array()) {
    return "list";
  }
  if (v.is_object()) {
    return "map";
  }
  return "null_type";
}

bool
truth(const Json& v)
{
  if (!v.is_boolean()) {
    fail(std::string("no such overload: a condition of type ") + type_name(v));
  }
  return v.get<bool>();
}

long long
size_of(const Json& v)
{
  if (v.is_string()) {
    long long n = 0;
    for (const unsigned char c : v.get_ref<const std::string&>()) {
      n += (c & 0xC0) != 0x80 ? 1 : 0; // code points, as CEL counts
    }
    return n;
  }
  if (v.is_array() || v.is_object()) {
    return static_cast<long long>(v.size());
  }
  fail(std::string("no such overload: size(") + type_name(v) + ")");
}

Json eval(const Node& n, Env& env);

Json
call(const Node& n, Env& env)
{
  if (!n.target) {
    if (n.args.size() != 1) {
      fail("size() takes one argument");
    }
    return size_of(eval(*n.args[0], env));
  }
  const Json t = eval(*n.target, env);
  std::vector<Json> a;
  for (const auto& arg : n.args) {
    a.push_back(eval(*arg, env));
  }
  if (n.name == "size" && a.empty()) {
    return size_of(t);
  }
  if (!t.is_string() || a.size() != 1 || !a[0].is_string()) {
    fail("no such overload: " + n.name + "() on " + type_name(t));
  }
  const auto& s = t.get_ref<const std::string&>();
  const auto& x = a[0].get_ref<const std::string&>();
  if (n.name == "contains") {
    return s.find(x) != std::string::npos;
  }
  if (n.name == "startsWith") {
    return s.rfind(x, 0) == 0;
  }
  if (n.name == "endsWith") {
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
  }
  if (n.name == "matches") {
    return std::regex_search(s, *n.regex);
  }
  // split
  Json parts = Json::array();
  if (x.empty()) {
    fail("split() with an empty separator is not supported");
  }
  std::size_t from = 0;
  for (auto at = s.find(x); at != std::string::npos; at = s.find(x, from)) {
    parts.push_back(s.substr(from, at - from));
    from = at + x.size();
  }
  parts.push_back(s.substr(from));
  return parts;
}

Json
macro(const Node& n, Env& env)
{
  const Json range = eval(*n.target, env);
  if (!range.is_array() && !range.is_object()) {
    fail(std::string("no such overload: ") + n.name + "() on " + type_name(range));
  }
  std::vector<Json> items;
  if (range.is_array()) {
    items.assign(range.begin(), range.end());
  } else {
    for (const auto& [k, v] : range.items()) {
      items.emplace_back(k); // a map ranges over its keys
    }
  }
  const auto saved = env.find(n.var) != env.end() ? std::optional<Json>(env[n.var]) : std::nullopt;
  long long count = 0;
  Json out = Json::array();
  for (const auto& item : items) {
    env[n.var] = item;
    const Json r = eval(*n.args[0], env);
    if (n.name == "map") {
      out.push_back(r);
    } else if (truth(r)) {
      ++count;
      if (n.name == "filter") {
        out.push_back(item);
      }
    }
  }
  if (saved) {
    env[n.var] = *saved;
  } else {
    env.erase(n.var);
  }
  const auto total = static_cast<long long>(items.size());
  if (n.name == "all") {
    return count == total;
  }
  if (n.name == "exists") {
    return count > 0;
  }
  if (n.name == "exists_one") {
    return count == 1;
  }
  return out;
}

Json
binary(const Node& n, Env& env)
{
  const auto& op = n.name;
  if (op == "&&" || op == "||") {
    // CEL's commutative logic: an error on one side is absorbed when the
    // other side decides.
    std::optional<bool> a;
    std::optional<bool> b;
    std::string error;
    for (int i = 0; i < 2; ++i) {
      try {
        (i == 0 ? a : b) = truth(eval(*n.args[static_cast<std::size_t>(i)], env));
      } catch (const std::runtime_error& e) {
        error = e.what();
      }
    }
    const bool decisive = op == "||";
    if ((a && *a == decisive) || (b && *b == decisive)) {
      return decisive;
    }
    if (!error.empty()) {
      fail(error);
    }
    return !decisive;
  }
  const Json a = eval(*n.args[0], env);
  const Json b = eval(*n.args[1], env);
  if (op == "==") {
    return a == b;
  }
  if (op == "!=") {
    return a != b;
  }
  if (op == "in") {
    if (b.is_array()) {
      for (const auto& x : b) {
        if (x == a) {
          return true;
        }
      }
      return false;
    }
    if (b.is_object() && a.is_string()) {
      return b.contains(a.get<std::string>());
    }
    fail(std::string("no such overload: in ") + type_name(b));
  }
  const bool numbers = a.is_number() && b.is_number();
  const bool strings = a.is_string() && b.is_string();
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    if (!numbers && !strings) {
      fail(std::string("no such overload: ") + type_name(a) + " " + op + " " + type_name(b));
    }
    const int c = numbers ? (a.get<double>() < b.get<double>()   ? -1
                             : a.get<double>() > b.get<double>() ? 1
                                                                 : 0)
                          : a.get<std::string>().compare(b.get<std::string>());
    return op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
  }
  if (op == "+" && strings) {
    return a.get<std::string>() + b.get<std::string>();
  }
  if (op == "+" && a.is_array() && b.is_array()) {
    Json out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
  }
  if (!a.is_number_integer() || !b.is_number_integer()) {
    fail(std::string("no such overload: ") + type_name(a) + " " + op + " " + type_name(b));
  }
  const long long x = a.get<long long>();
  const long long y = b.get<long long>();
  if ((op == "/" || op == "%") && y == 0) {
    fail(op == "/" ? "division by zero" : "modulus by zero");
  }
  return op == "+" ? x + y : op == "-" ? x - y : op == "*" ? x * y : op == "/" ? x / y : x % y;
}

Json
eval(const Node& n, Env& env)
{
  switch (n.kind) {
    case Node::Kind::literal:
      return n.value;
    case Node::Kind::list: {
      Json out = Json::array();
      for (const auto& a : n.args) {
        out.push_back(eval(*a, env));
      }
      return out;
    }
    case Node::Kind::ident: {
      const auto it = env.find(n.name);
      if (it == env.end()) {
        fail("undeclared reference to '" + n.name + "'");
      }
      return it->second;
    }
    case Node::Kind::select: {
      const Json t = eval(*n.target, env);
      if (!t.is_object()) {
        fail(std::string("no such overload: field selection on ") + type_name(t));
      }
      const auto it = t.find(n.name);
      if (it == t.end()) {
        fail("no such key: " + n.name);
      }
      return *it;
    }
    case Node::Kind::index: {
      const Json t = eval(*n.target, env);
      const Json i = eval(*n.args[0], env);
      if (t.is_array() && i.is_number_integer()) {
        const auto k = i.get<long long>();
        if (k < 0 || k >= static_cast<long long>(t.size())) {
          fail("index out of bounds: " + std::to_string(k));
        }
        return t[static_cast<std::size_t>(k)];
      }
      if (t.is_object() && i.is_string()) {
        const auto it = t.find(i.get<std::string>());
        if (it == t.end()) {
          fail("no such key: " + i.get<std::string>());
        }
        return *it;
      }
      fail(std::string("no such overload: ") + type_name(t) + "[" + type_name(i) + "]");
    }
    case Node::Kind::call:
      return call(n, env);
    case Node::Kind::macro:
      return macro(n, env);
    case Node::Kind::has: {
      const auto& sel = *n.args[0];
      const Json t = eval(*sel.target, env);
      return t.is_object() && t.contains(sel.name);
    }
    case Node::Kind::unary: {
      const Json v = eval(*n.args[0], env);
      if (n.name == "!") {
        return !truth(v);
      }
      if (!v.is_number_integer()) {
        fail(std::string("no such overload: -") + type_name(v));
      }
      return -v.get<long long>();
    }
    case Node::Kind::binary:
      return binary(n, env);
    case Node::Kind::cond:
      return truth(eval(*n.args[0], env)) ? eval(*n.args[1], env) : eval(*n.args[2], env);
  }
  fail("unknown expression");
}

} // namespace

bool
Program::holds(const Json& self) const
{
  Env env{ { "self", self } };
  return truth(eval(*m_root, env));
}

Compiled
compile(const std::string& rule)
{
  try {
    return { std::make_shared<const Program>(Parser(rule).parse()), "" };
  } catch (const Unsupported& e) {
    return { nullptr, e.what() };
  } catch (const std::exception& e) {
    return { nullptr, std::string("cannot parse: ") + e.what() };
  }
}

} // namespace ocne::test::kube::cel
