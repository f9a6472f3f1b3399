#include "pkg/template/reference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace ocne::tmpl {
namespace {

bool
is_name_start(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool
is_name_char(char c)
{
  return is_name_start(c) || (c >= '0' && c <= '9');
}

class Parser
{
public:
  explicit Parser(std::string_view text) : m_text(text)
  {
  }

  ParsedTemplate
  run()
  {
    ParsedTemplate out;
    out.pieces = pieces(false, out.errors);
    return out;
  }

private:
  char
  at(std::size_t i) const
  {
    return i < m_text.size() ? m_text[i] : '\0';
  }

  void
  advance()
  {
    if (m_text[m_pos] == '\n') {
      ++m_line;
      m_line_start = m_pos + 1;
    }
    ++m_pos;
  }

  static void
  add_literal(std::vector<Piece>& out, char c)
  {
    if (out.empty() || out.back().ref) {
      out.push_back(Piece{});
    }
    out.back().literal += c;
  }

  // Text up to the end of the template, or (in a default) up to its '}'.
  std::vector<Piece>
  pieces(bool in_default, std::vector<SyntaxError>& errors)
  {
    std::vector<Piece> out;
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (in_default && (c == '}' || c == '\n')) {
        return out;
      }
      if (c == '$' && at(m_pos + 1) == '$') {
        add_literal(out, '$');
        m_pos += 2;
        continue;
      }
      if (c == '$' && at(m_pos + 1) == '{') {
        auto ref = reference(errors);
        if (ref) {
          out.push_back(Piece{ {}, std::move(ref) });
        }
        continue;
      }
      add_literal(out, c);
      advance();
    }
    return out;
  }

  // The reference as written from start, up to its '}' or the end of the line.
  std::string
  excerpt(std::size_t start) const
  {
    auto end = m_text.find_first_of("}\n", start);
    if (end == std::string_view::npos) {
      end = m_text.size();
    } else if (m_text[end] == '}') {
      ++end;
    }
    std::string s(m_text.substr(start, end - start));
    if (s.size() > 60) {
      s = s.substr(0, 57) + "...";
    }
    return s;
  }

  // Skips the rest of a broken reference: to its '}' or the end of the line.
  void
  recover(std::size_t start)
  {
    auto end = m_text.find_first_of("}\n", start);
    if (end == std::string_view::npos) {
      m_pos = m_text.size();
    } else {
      m_pos = m_text[end] == '}' ? end + 1 : end;
    }
  }

  std::shared_ptr<const Reference>
  reference(std::vector<SyntaxError>& errors)
  {
    const std::size_t start = m_pos;
    auto ref = std::make_shared<Reference>();
    ref->line = m_line;
    ref->column = static_cast<int>(start - m_line_start) + 1;
    const auto fail = [&](std::string why) {
      errors.push_back({ ref->line, fmt::format("malformed variable reference \"{}\": {}", excerpt(start), why) });
      recover(start + 2);
      return nullptr;
    };

    m_pos += 2;
    while (at(m_pos) == ' ' || at(m_pos) == '\t') {
      ++m_pos;
    }
    const std::size_t name_start = m_pos;
    while (is_name_char(at(m_pos))) {
      ++m_pos;
    }
    ref->name = std::string(m_text.substr(name_start, m_pos - name_start));
    if (ref->name.empty() || !is_name_start(ref->name[0])) {
      if (ref->name.empty() && (at(m_pos) == '}' || at(m_pos) == '\n' || at(m_pos) == '\0')) {
        return at(m_pos) == '}' ? fail("no variable name") : fail("no closing '}' on this line");
      }
      return fail("a variable name starts with a letter or '_' and holds only letters, digits and '_'");
    }
    while (at(m_pos) == ' ' || at(m_pos) == '\t') {
      ++m_pos;
    }
    const std::string usage = fmt::format("use ${{{0}}}, ${{{0}:=default}}, ${{{0}:-default}}, ${{{0}=default}} or "
                                          "${{{0}-default}}",
                                          ref->name);
    const char c = at(m_pos);
    if (c == '}') {
      ++m_pos;
    } else if (c == '\n' || c == '\0') {
      return fail("no closing '}' on this line");
    } else {
      if (c == ':' && (at(m_pos + 1) == '=' || at(m_pos + 1) == '-')) {
        ref->op = Reference::Op::default_if_empty;
        m_pos += 2;
      } else if (c == '=' || c == '-') {
        ref->op = Reference::Op::default_if_unset;
        m_pos += 1;
      } else {
        std::string op(1, c);
        if (c == ':' && at(m_pos + 1) != '\0' && at(m_pos + 1) != '}' && at(m_pos + 1) != '\n') {
          op += at(m_pos + 1);
        }
        if (!is_name_char(c) && c != ' ') {
          return fail(fmt::format("unsupported operator '{}'; {}", op, usage));
        }
        return fail(fmt::format("unexpected text after the variable name; {}", usage));
      }
      std::vector<SyntaxError> inner;
      const std::size_t fallback_start = m_pos;
      ref->fallback = pieces(true, inner);
      ref->fallback_text = std::string(m_text.substr(fallback_start, m_pos - fallback_start));
      if (!inner.empty()) {
        errors.insert(errors.end(), inner.begin(), inner.end());
        recover(m_pos);
        return nullptr;
      }
      if (at(m_pos) != '}') {
        return fail("no closing '}' on this line");
      }
      ++m_pos;
    }
    ref->source = std::string(m_text.substr(start, m_pos - start));
    return ref;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  int m_line = 1;
  std::size_t m_line_start = 0;
};

void
collect(const std::vector<Piece>& pieces, std::map<std::string, VariableInfo>& out)
{
  for (const auto& piece : pieces) {
    if (!piece.ref) {
      continue;
    }
    const auto& ref = *piece.ref;
    auto& info = out[ref.name];
    info.name = ref.name;
    if (std::find(info.lines.begin(), info.lines.end(), ref.line) == info.lines.end()) {
      info.lines.push_back(ref.line);
    }
    if (ref.op == Reference::Op::none) {
      info.required = true;
    } else if (!info.has_default) {
      info.has_default = true;
      info.default_text = ref.fallback_text;
    }
    collect(ref.fallback, out);
  }
}

} // namespace

ParsedTemplate
parse_references(std::string_view text)
{
  return Parser(text).run();
}

std::vector<VariableInfo>
list_variables(const ParsedTemplate& parsed)
{
  std::map<std::string, VariableInfo> by_name;
  collect(parsed.pieces, by_name);
  std::vector<VariableInfo> out;
  for (auto& [name, info] : by_name) {
    std::sort(info.lines.begin(), info.lines.end());
    out.push_back(std::move(info));
  }
  return out;
}

} // namespace ocne::tmpl
