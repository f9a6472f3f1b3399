#include "tests/servers/kube/selector.hpp"

#include "tests/servers/kube/api_error.hpp"
#include "tests/servers/kube/object_meta.hpp"

#include <algorithm>
#include <cctype>

namespace ocne::test::kube {

namespace {

// A small lexer over the label selector grammar of k8s.io/apimachinery/pkg/labels.
class Lexer
{
public:
  explicit Lexer(const std::string& text) : m_text(text)
  {
  }

  enum class Tok { end, identifier, comma, open, close, eq, double_eq, neq, bang, in, notin, gt, lt };

  struct Token
  {
    Tok kind;
    std::string text;
  };

  Token
  next()
  {
    while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos])) != 0) {
      ++m_pos;
    }
    if (m_pos >= m_text.size()) {
      return { Tok::end, "" };
    }
    const char c = m_text[m_pos];
    if (c == ',') {
      ++m_pos;
      return { Tok::comma, "," };
    }
    if (c == '(') {
      ++m_pos;
      return { Tok::open, "(" };
    }
    if (c == ')') {
      ++m_pos;
      return { Tok::close, ")" };
    }
    if (c == '=') {
      if (m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '=') {
        m_pos += 2;
        return { Tok::double_eq, "==" };
      }
      ++m_pos;
      return { Tok::eq, "=" };
    }
    if (c == '!') {
      if (m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '=') {
        m_pos += 2;
        return { Tok::neq, "!=" };
      }
      ++m_pos;
      return { Tok::bang, "!" };
    }
    if (c == '>') {
      ++m_pos;
      return { Tok::gt, ">" };
    }
    if (c == '<') {
      ++m_pos;
      return { Tok::lt, "<" };
    }
    const std::size_t start = m_pos;
    while (m_pos < m_text.size()) {
      const char d = m_text[m_pos];
      if (std::isspace(static_cast<unsigned char>(d)) != 0 || d == ',' || d == '(' || d == ')' || d == '=' ||
          d == '!' || d == '>' || d == '<') {
        break;
      }
      ++m_pos;
    }
    std::string word = m_text.substr(start, m_pos - start);
    if (word == "in") {
      return { Tok::in, word };
    }
    if (word == "notin") {
      return { Tok::notin, word };
    }
    return { Tok::identifier, word };
  }

  Token
  peek()
  {
    const std::size_t saved = m_pos;
    Token t = next();
    m_pos = saved;
    return t;
  }

private:
  const std::string& m_text;
  std::size_t m_pos = 0;
};

[[noreturn]] void
parse_error(const std::string& why)
{
  throw err_bad_request("unable to parse requirement: " + why);
}

void
check_key(const std::string& key)
{
  if (const auto msgs = qualified_name_errors(key); !msgs.empty()) {
    std::string joined;
    for (const auto& m : msgs) {
      joined += (joined.empty() ? "" : "; ") + m;
    }
    parse_error("key: Invalid value: " + go_quote(key) + ": " + joined);
  }
}

void
check_value(const std::string& value, std::size_t index)
{
  if (const auto msgs = label_value_errors(value); !msgs.empty()) {
    std::string joined;
    for (const auto& m : msgs) {
      joined += (joined.empty() ? "" : "; ") + m;
    }
    parse_error("values[" + std::to_string(index) + "]: Invalid value: " + go_quote(value) + ": " + joined);
  }
}

bool
is_integer(const std::string& s)
{
  if (s.empty()) {
    return false;
  }
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) {
    return false;
  }
  return std::all_of(s.begin() + static_cast<long>(i), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

} // namespace

LabelSelector
LabelSelector::parse(const std::string& text)
{
  LabelSelector out;
  Lexer lex(text);
  using Tok = Lexer::Tok;
  while (true) {
    auto t = lex.next();
    if (t.kind == Tok::end) {
      break;
    }
    Requirement req;
    if (t.kind == Tok::bang) {
      t = lex.next();
      if (t.kind != Tok::identifier) {
        throw err_bad_request("found '" + t.text + "', expected: identifier after '!'");
      }
      check_key(t.text);
      req = { t.text, Op::not_exists, {} };
    } else if (t.kind == Tok::identifier) {
      req.key = t.text;
      check_key(req.key);
      const auto op = lex.peek();
      if (op.kind == Tok::end || op.kind == Tok::comma) {
        req.op = Op::exists;
      } else {
        lex.next();
        switch (op.kind) {
          case Tok::eq:
          case Tok::double_eq:
          case Tok::neq:
          case Tok::gt:
          case Tok::lt: {
            req.op = op.kind == Tok::neq  ? Op::not_equals
                     : op.kind == Tok::gt ? Op::greater
                     : op.kind == Tok::lt ? Op::less
                                          : Op::equals;
            const auto v = lex.peek();
            std::string value;
            if (v.kind == Tok::identifier) {
              value = lex.next().text;
            } else if (v.kind != Tok::end && v.kind != Tok::comma) {
              throw err_bad_request("found '" + v.text + "', expected: identifier");
            }
            if (req.op == Op::greater || req.op == Op::less) {
              if (!is_integer(value)) {
                parse_error("for 'Gt', 'Lt' operators, the value must be an integer");
              }
            } else {
              check_value(value, 0);
            }
            req.values.push_back(value);
            break;
          }
          case Tok::in:
          case Tok::notin: {
            req.op = op.kind == Tok::in ? Op::in : Op::not_in;
            if (lex.next().kind != Tok::open) {
              throw err_bad_request("found '" + op.text + "', expected: '('");
            }
            while (true) {
              auto v = lex.next();
              if (v.kind == Tok::close) {
                break;
              }
              if (v.kind == Tok::comma) {
                req.values.emplace_back();
                continue;
              }
              if (v.kind != Tok::identifier) {
                throw err_bad_request("found '" + v.text + "', expected: ',', ')' or identifier");
              }
              req.values.push_back(v.text);
              const auto after = lex.next();
              if (after.kind == Tok::close) {
                break;
              }
              if (after.kind != Tok::comma) {
                throw err_bad_request("found '" + after.text + "', expected: ',' or ')'");
              }
            }
            if (req.values.empty()) {
              parse_error("for 'in', 'notin' operators, values set can't be empty");
            }
            for (std::size_t i = 0; i < req.values.size(); ++i) {
              check_value(req.values[i], i);
            }
            break;
          }
          default:
            throw err_bad_request("found '" + op.text + "', expected: in, notin, =, ==, !=, gt, lt");
        }
      }
    } else {
      throw err_bad_request("found '" + t.text + "', expected: !, identifier, or 'end of string'");
    }
    out.m_requirements.push_back(std::move(req));
    const auto sep = lex.next();
    if (sep.kind == Tok::end) {
      break;
    }
    if (sep.kind != Tok::comma) {
      throw err_bad_request("found '" + sep.text + "', expected: ',' or 'end of string'");
    }
  }
  return out;
}

bool
LabelSelector::matches(const Json& labels) const
{
  for (const auto& r : m_requirements) {
    const Json* v = labels.is_object() ? child(labels, r.key) : nullptr;
    const bool has = v != nullptr && v->is_string();
    const std::string value = has ? v->get<std::string>() : std::string();
    bool ok = false;
    switch (r.op) {
      case Op::exists:
        ok = has;
        break;
      case Op::not_exists:
        ok = !has;
        break;
      case Op::equals:
        ok = has && value == r.values[0];
        break;
      case Op::not_equals:
        ok = !has || value != r.values[0];
        break;
      case Op::in:
        ok = has && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
        break;
      case Op::not_in:
        ok = !has || std::find(r.values.begin(), r.values.end(), value) == r.values.end();
        break;
      case Op::greater:
      case Op::less:
        if (has && is_integer(value)) {
          const long long a = std::stoll(value);
          const long long b = std::stoll(r.values[0]);
          ok = r.op == Op::greater ? a > b : a < b;
        }
        break;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string
field_value(const Json& object, const std::string& dotted)
{
  const Json* node = &object;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const auto dot = dotted.find('.', start);
    const std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    node = child(*node, part);
    if (node == nullptr) {
      return "";
    }
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  if (node->is_string()) {
    return node->get<std::string>();
  }
  if (node->is_boolean() || node->is_number()) {
    return node->dump();
  }
  return "";
}

namespace {

// Splits on unescaped sep; "\\," and "\\=" escape them.
std::vector<std::string>
split_escaped(const std::string& s, char sep)
{
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out.back() += s[i];
      out.back() += s[++i];
    } else if (s[i] == sep) {
      out.emplace_back();
    } else {
      out.back() += s[i];
    }
  }
  return out;
}

std::string
unescape(const std::string& s)
{
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[++i];
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string
trim(const std::string& s)
{
  std::size_t a = 0;
  std::size_t b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a])) != 0) {
    ++a;
  }
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])) != 0) {
    --b;
  }
  return s.substr(a, b - a);
}

} // namespace

FieldSelector
FieldSelector::parse(const std::string& text, const std::vector<std::string>& supported, bool custom_resource)
{
  FieldSelector out;
  if (trim(text).empty()) {
    return out;
  }
  for (const auto& raw : split_escaped(text, ',')) {
    const std::string part = trim(raw);
    if (part.empty()) {
      continue;
    }
    Term term;
    std::size_t op_pos = std::string::npos;
    std::size_t op_len = 0;
    for (std::size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '\\') {
        ++i;
        continue;
      }
      if (part.compare(i, 2, "!=") == 0) {
        op_pos = i;
        op_len = 2;
        term.equals = false;
        break;
      }
      if (part.compare(i, 2, "==") == 0) {
        op_pos = i;
        op_len = 2;
        term.equals = true;
        break;
      }
      if (part[i] == '=') {
        op_pos = i;
        op_len = 1;
        term.equals = true;
        break;
      }
    }
    if (op_pos == std::string::npos) {
      throw err_bad_request("invalid selector: '" + text + "'; can't understand '" + part + "'");
    }
    term.field = trim(part.substr(0, op_pos));
    term.value = unescape(trim(part.substr(op_pos + op_len)));
    const bool known = term.field == "metadata.name" || term.field == "metadata.namespace" ||
                       std::find(supported.begin(), supported.end(), term.field) != supported.end();
    if (!known) {
      if (custom_resource) {
        throw err_bad_request("field label not supported: " + term.field);
      }
      throw err_bad_request("field label not supported: " + term.field);
    }
    out.m_terms.push_back(std::move(term));
  }
  return out;
}

bool
FieldSelector::matches(const Json& object) const
{
  for (const auto& t : m_terms) {
    const std::string v = field_value(object, t.field);
    if ((v == t.value) != t.equals) {
      return false;
    }
  }
  return true;
}

std::string
FieldSelector::exact_name() const
{
  for (const auto& t : m_terms) {
    if (t.field == "metadata.name" && t.equals) {
      return t.value;
    }
  }
  return {};
}

bool
label_selector_matches(const Json* selector, const Json& labels)
{
  if (selector == nullptr || !selector->is_object()) {
    return true;
  }
  auto label = [&](const std::string& k) -> const Json* {
    return labels.is_object() && labels.contains(k) ? &labels[k] : nullptr;
  };
  auto listed = [](const Json* values, const Json* have) {
    if (values == nullptr || !values->is_array() || have == nullptr || !have->is_string()) {
      return false;
    }
    return std::find(values->begin(), values->end(), *have) != values->end();
  };
  if (const Json* ml = child(*selector, "matchLabels"); ml != nullptr && ml->is_object()) {
    for (const auto& [k, v] : ml->items()) {
      const Json* have = label(k);
      if (have == nullptr || *have != v) {
        return false;
      }
    }
  }
  if (const Json* me = child(*selector, "matchExpressions"); me != nullptr && me->is_array()) {
    for (const auto& e : *me) {
      const Json* have = label(string_at(e, "key"));
      const std::string op = string_at(e, "operator");
      const bool in = listed(child(e, "values"), have);
      if ((op == "In" && !in) || (op == "NotIn" && have != nullptr && in) || (op == "Exists" && have == nullptr) ||
          (op == "DoesNotExist" && have != nullptr)) {
        return false;
      }
    }
  }
  return true;
}

} // namespace ocne::test::kube
